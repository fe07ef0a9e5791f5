/**
 * The Pulumi front-end adds nothing and drops nothing: every Kubernetes object it creates equals, field for
 * field, the object the core plans for the same props, and it creates no object the core did not plan.
 */
import { describe, expect, it } from "vitest";
import { AutoscaledEndpoint, GpuNodePool, ModelService } from "../../constructs/pulumi";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import { type RecordedResource, recordResources } from "./harness";

const recording = recordResources();

const managedPool = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge", "g6.xlarge"],
  nodes: { min: 1, max: 8 },
};
const karpenterPool = {
  ...managedPool,
  nodes: { min: 0, max: 8 },
  mode: "karpenter" as const,
  karpenter: { nodeRoleName: "KarpenterNodeRole-prod" },
};
const canaryService = {
  model: {
    name: "resnet50",
    versions: [
      { version: 3, uri: "s3://models/resnet50/3/model.onnx", sha256: "a".repeat(64), weightPercent: 90 },
      { version: 4, uri: "s3://models/resnet50/4/model.onnx", sha256: "b".repeat(64), weightPercent: 10 },
    ],
  },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
  gateway: { name: "inference", namespace: "gateways" },
  monitoring: { serviceMonitor: true },
};
const singleService = {
  model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: "a".repeat(64) },
  resources: { gpu: 1 },
  auth: { tokenSecret: { name: "resnet-token" } },
};
const target = { inflightRequestsPerReplica: 8 };
const kedaInCluster = {
  // Two versions of 4 pods of 1 GPU each fill the pool's 8 nodes.
  replicas: { min: 2, max: 4 },
  target,
  autoscaler: { type: "keda" as const, prometheusServerAddress: "http://prometheus.monitoring:9090" },
  exposure: { type: "clusterIP" as const },
};
const hpaBehindNlb = {
  replicas: { min: 2, max: 8 },
  target,
  exposure: {
    type: "nlb" as const,
    scheme: "internet-facing" as const,
    sourceRanges: ["203.0.113.0/24"],
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: {
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
    },
  },
};

/** The planned object as it crosses the wire: JSON (no undefined fields). */
const asJson = (object: KubernetesObject) => JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
const keyOf = (object: { kind?: unknown; metadata?: unknown }) =>
  `${String(object.kind)}/${(object.metadata as { name: string }).name}`;

/** Labels added to an existing namespace: the plan's `namespaceLabels`, not objects of its own. */
const NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch";

function kubernetesChildren(component: RecordedResource) {
  return recording
    .childrenOf(component)
    .filter((r) => r.type.startsWith("kubernetes:") && r.type !== NAMESPACE_PATCH);
}

const setups = [
  {
    title: "managed pool + canary service (HTTPRoute, ServiceMonitor) + KEDA in-cluster endpoint",
    pool: managedPool,
    service: canaryService,
    endpoint: kedaInCluster,
    kinds: [
      "DaemonSet",
      "ServiceAccount",
      "ConfigMap",
      "Deployment",
      "Service",
      "PodDisruptionBudget",
    ].concat(["NetworkPolicy", "HTTPRoute", "ServiceMonitor", "PrometheusRule", "ScaledObject"]),
  },
  {
    title: "Karpenter pool + single-version service + HPA behind an NLB",
    pool: karpenterPool,
    service: singleService,
    endpoint: hpaBehindNlb,
    kinds: [
      "NodePool",
      "EC2NodeClass",
      "DaemonSet",
      "ServiceAccount",
      "ConfigMap",
      "Deployment",
      "Service",
    ].concat([
      "PodDisruptionBudget",
      "NetworkPolicy",
      "HorizontalPodAutoscaler",
      "ServiceMonitor",
      "PrometheusRule",
    ]),
  },
];

describe("Pulumi Kubernetes objects = the core's plan", () => {
  it.each(setups)("$title", async (setup) => {
    recording.reset();
    const pool = new GpuNodePool("gpu", setup.pool);
    const service = new ModelService("resnet", { ...setup.service, nodePool: pool });
    new AutoscaledEndpoint("resnet", { ...setup.endpoint, service });
    await recording.settle();

    const poolPlan = planGpuNodePool("gpu", setup.pool);
    const servicePlan = planModelService("resnet", setup.service, poolPlan.binding);
    const endpointPlan = planAutoscaledEndpoint("resnet", setup.endpoint, servicePlan);
    const cases = [
      ["onnxfleet:index:GpuNodePool", "gpu", poolPlan.kubernetesObjects],
      ["onnxfleet:index:ModelService", "resnet", servicePlan.kubernetesObjects],
      ["onnxfleet:index:AutoscaledEndpoint", "resnet", endpointPlan.kubernetesObjects],
    ] as const;

    for (const [type, name, planned] of cases) {
      const created = kubernetesChildren(recording.get(type, name));
      expect(created.map((r) => keyOf(r.inputs)).sort(), `${type} objects`).toEqual(
        planned.map(keyOf).sort(),
      );
      for (const object of planned) {
        const match = created.find((r) => keyOf(r.inputs) === keyOf(object));
        expect(match?.inputs, `${type} ${keyOf(object)}`).toStrictEqual(asJson(object));
        // The Pulumi name is the object's name (the core's naming rules).
        expect(match?.name).toBe(object.metadata.name);
      }
    }
    // The namespace labels are exactly the planned ones.
    const patches = recording
      .childrenOf(recording.get("onnxfleet:index:AutoscaledEndpoint", "resnet"))
      .filter((r) => r.type === NAMESPACE_PATCH);
    expect(patches.map((r) => ({ name: r.name, metadata: r.inputs.metadata }))).toEqual(
      endpointPlan.namespaceLabels.map((l) => ({
        name: l.logicalName,
        metadata: { name: l.namespace, labels: l.labels },
      })),
    );
    // The setup exercises the kinds it claims (typed classes and custom resources).
    const kinds = new Set(cases.flatMap(([, , planned]) => planned.map((o) => o.kind)));
    expect([...kinds].sort()).toEqual([...setup.kinds].sort());
  });
});
