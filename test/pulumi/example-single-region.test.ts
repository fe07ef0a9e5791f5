/**
 * Runs examples/pulumi-single-region under Pulumi mocks with its stack config; the example imports
 * `onnxfleet/pulumi` like a user's program (the built package) and uses the default providers.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { validateAgainstUpstreamSchema } from "../core/support/schemas";
import { recordResources, resolved } from "./harness";

const recording = recordResources("onnxfleet-single-region");
pulumi.runtime.setAllConfig({
  "onnxfleet-single-region:clusterName": "prod-use1",
  "onnxfleet-single-region:subnetIds": JSON.stringify([
    "subnet-0a1b2c3d4e5f60718",
    "subnet-0a1b2c3d4e5f60719",
  ]),
  "onnxfleet-single-region:vpcCidr": "10.0.0.0/16",
  "onnxfleet-single-region:modelUri": "s3://models/resnet50/3/model.onnx",
  "onnxfleet-single-region:modelSha256": "9f2c".padEnd(64, "0"),
});
const program = await import("../../examples/pulumi-single-region/index");
await recording.settle();

describe("examples/pulumi-single-region", () => {
  it("creates the GPU pool, the service bound to it and the endpoint, on the default providers", () => {
    const components = recording.resources.filter((r) => r.type.startsWith("onnxfleet:"));
    expect(components.map((c) => `${c.type} ${c.name}`)).toEqual([
      "onnxfleet:index:GpuNodePool gpu",
      "onnxfleet:index:ModelService resnet",
      "onnxfleet:index:AutoscaledEndpoint resnet",
    ]);
    // No explicit provider: the engine's default aws and kubernetes providers serve every resource.
    expect(recording.resources.filter((r) => r.type.startsWith("pulumi:providers:"))).toEqual([]);
    expect(recording.resources.filter((r) => r.custom && r.provider !== "")).toEqual([]);
    const nodeGroup = recording.get("aws:eks/nodeGroup:NodeGroup", "gpu-node-group");
    expect(nodeGroup.inputs).toMatchObject({ clusterName: "prod-use1", amiType: "AL2023_x86_64_NVIDIA" });
    const deployment = recording.get("kubernetes:apps/v1:Deployment", "resnet-v1");
    const pod = (deployment.inputs.spec as { template: { spec: { nodeSelector: object } } }).template.spec;
    expect(pod.nodeSelector).toEqual({ "onnxfleet.dev/node-pool": "gpu" });
    const association = recording.get(
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "resnet-pod-identity",
    );
    expect(association.inputs).toMatchObject({ clusterName: "prod-use1", serviceAccount: "resnet" });
  });

  it("exports the NLB hostname, the service, the node group and the pod role", async () => {
    expect(await resolved(program.hostname!)).toBe("resnet-nlb.elb.mock.amazonaws.com");
    expect(program.serviceName).toBe("resnet");
    expect(await resolved(program.nodeGroupName!)).toBe("gpu-node-group-mockid");
    expect(await resolved(program.podRoleArn!)).toBe("arn:aws:mock::123456789012:Role/resnet-pod-role");
  });

  it("carries the alerts, the dashboard and the pool's DCGM exporter, each valid against its upstream schema", () => {
    const objects = [
      recording.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "resnet"),
      recording.get("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "resnet"),
      recording.get("kubernetes:core/v1:ConfigMap", "resnet-dashboard"),
      recording.get("kubernetes:apps/v1:DaemonSet", "gpu-dcgm-exporter"),
      recording.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "gpu-dcgm-exporter"),
    ];
    for (const o of objects)
      expect(() => validateAgainstUpstreamSchema(o.inputs as never), o.name).not.toThrow();
  });
});
