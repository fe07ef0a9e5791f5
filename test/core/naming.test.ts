/** Child names and labels are a public contract: renaming replaces live objects. These tests pin them. */
import { describe, expect, it } from "vitest";
import * as labels from "../../src/labels";
import * as naming from "../../src/naming";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planModelService } from "../../src/plan/model-service";
import { canaryProps, gpuBinding, resnetProps, SHA_A } from "./support/fixtures";

describe("naming", () => {
  it("pins every child name", () => {
    expect({
      serviceAccount: naming.serviceAccountName("resnet"),
      configMap: naming.configMapName("resnet"),
      configKey: naming.modelConfigKey(3),
      service: naming.serviceName("resnet"),
      deployment: naming.deploymentName("resnet", 3),
      versionService: naming.versionServiceName("resnet", 3),
      networkPolicy: naming.networkPolicyName("resnet"),
      serviceMonitor: naming.serviceMonitorName("resnet"),
      httpRoute: naming.httpRouteName("resnet"),
      autoscaler: naming.autoscalerName("resnet-v3"),
      loadBalancerService: naming.loadBalancerServiceName("resnet"),
      loadBalancerPolicy: naming.loadBalancerNetworkPolicyName("resnet"),
      readPolicy: naming.modelReadPolicyName("resnet"),
    }).toEqual({
      serviceAccount: "resnet",
      configMap: "resnet-config",
      configKey: "v3.config.json",
      service: "resnet",
      deployment: "resnet-v3",
      versionService: "resnet-v3",
      networkPolicy: "resnet",
      serviceMonitor: "resnet",
      httpRoute: "resnet",
      autoscaler: "resnet-v3",
      loadBalancerService: "resnet-nlb",
      loadBalancerPolicy: "resnet-nlb",
      readPolicy: "resnet-model-read",
    });
  });

  it("keeps the longest child name a DNS label at the longest allowed name and version", () => {
    const name = "a".repeat(naming.NAME_MAX_LENGTH);
    const longest = [
      naming.deploymentName(name, naming.MODEL_VERSION_MAX),
      naming.configMapName(name),
      naming.loadBalancerServiceName(name),
    ];
    for (const child of longest) expect(child.length).toBeLessThanOrEqual(63);
  });

  it("keeps the serving Deployment's name when a canary version is added", () => {
    const single = planModelService(
      "resnet",
      {
        ...resnetProps,
        model: { name: "resnet50", uri: "s3://models/a.onnx", sha256: SHA_A, version: 3 },
      },
      gpuBinding,
    );
    const canary = planModelService("resnet", canaryProps, gpuBinding);
    const deployments = (p: typeof single) =>
      p.kubernetesObjects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
    expect(deployments(single)).toEqual(["resnet-v3"]);
    expect(deployments(canary)).toEqual(["resnet-v3", "resnet-v4"]);
  });
});

describe("labels", () => {
  const plan = planModelService(
    "resnet",
    {
      ...resnetProps,
      model: { name: "resnet50", uri: "s3://models/a.onnx", sha256: SHA_A, version: 3 },
    },
    gpuBinding,
  );
  const byKind = (kind: string) => plan.kubernetesObjects.find((o) => o.kind === kind);

  it("labels shared objects with the recommended labels, without a version", () => {
    expect(byKind("Service")?.metadata.labels).toEqual({
      "app.kubernetes.io/name": "resnet50",
      "app.kubernetes.io/instance": "resnet",
      "app.kubernetes.io/component": "model-server",
      "app.kubernetes.io/managed-by": "onnxfleet",
    });
  });

  it("labels a version's objects with its model version", () => {
    expect(byKind("Deployment")?.metadata.labels).toEqual({
      "app.kubernetes.io/name": "resnet50",
      "app.kubernetes.io/instance": "resnet",
      "app.kubernetes.io/component": "model-server",
      "app.kubernetes.io/managed-by": "onnxfleet",
      "app.kubernetes.io/version": "3",
    });
  });

  it("pins the selectors", () => {
    expect(labels.modelServiceSelector("resnet")).toEqual({
      "app.kubernetes.io/instance": "resnet",
      "app.kubernetes.io/component": "model-server",
    });
    expect(labels.modelVersionSelector("resnet", 3)).toEqual({
      "app.kubernetes.io/instance": "resnet",
      "app.kubernetes.io/component": "model-server",
      "app.kubernetes.io/version": "3",
    });
  });

  it("labels the endpoint's objects as the endpoint component", () => {
    const endpoint = planAutoscaledEndpoint(
      "resnet",
      { replicas: { min: 1, max: 2 }, target: { inflightRequestsPerReplica: 4 } },
      plan,
    );
    expect(endpoint.kubernetesObjects[0]?.metadata.labels).toEqual({
      "app.kubernetes.io/name": "resnet50",
      "app.kubernetes.io/instance": "resnet",
      "app.kubernetes.io/component": "endpoint",
      "app.kubernetes.io/managed-by": "onnxfleet",
      "app.kubernetes.io/version": "3",
    });
  });
});
