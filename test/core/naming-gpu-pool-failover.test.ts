// Child names are a public contract: changing one replaces cloud resources or orphans Kubernetes objects.
import { describe, expect, it } from "vitest";
import {
  DEVICE_PLUGIN_NAMESPACE,
  GPU_NODE_POOL_NAME_MAX_LENGTH,
  gpuNodePoolNames,
  multiRegionFailoverNames,
  NODE_POOL_LABEL,
} from "../../src/naming-gpu-pool-failover";

describe("names of GpuNodePool children", () => {
  it("are pinned", () => {
    const names = gpuNodePoolNames("gpu-us-east-1");
    expect({
      ...names,
      nodeRolePolicyAttachment: names.nodeRolePolicyAttachment("AmazonEKS_CNI_Policy"),
    }).toEqual({
      nodeRole: "gpu-us-east-1-node-role",
      nodeRolePolicyAttachment: "gpu-us-east-1-node-role-AmazonEKS_CNI_Policy",
      launchTemplate: "gpu-us-east-1-launch-template",
      nodeGroup: "gpu-us-east-1-node-group",
      physicalNamePrefix: "gpu-us-east-1-",
      devicePlugin: "nvidia-device-plugin-gpu-us-east-1",
      dcgmExporter: "gpu-us-east-1-dcgm-exporter",
      karpenterNodePool: "gpu-us-east-1",
      karpenterNodeClass: "gpu-us-east-1",
    });
    expect(NODE_POOL_LABEL).toBe("onnxfleet.dev/node-pool");
    expect(DEVICE_PLUGIN_NAMESPACE).toBe("kube-system");
  });

  it("fit their limits for the longest pool name", () => {
    const names = gpuNodePoolNames("p".repeat(GPU_NODE_POOL_NAME_MAX_LENGTH));
    expect(names.devicePlugin.length).toBeLessThanOrEqual(63); // DNS-1123 label
    expect(names.dcgmExporter.length).toBeLessThanOrEqual(63);
    expect(names.physicalNamePrefix.length).toBeLessThanOrEqual(37); // EKS node group and IAM role prefixes
  });
});

describe("names of MultiRegionFailover children", () => {
  it("are pinned", () => {
    expect(multiRegionFailoverNames("resnet-global", "eu-west-1")).toEqual({
      healthCheck: "resnet-global-eu-west-1-health-check",
      record: "resnet-global-eu-west-1-record",
      healthAlarm: "resnet-global-eu-west-1-health-alarm",
    });
  });
});
