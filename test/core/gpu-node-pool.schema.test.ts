// Property test: for a wide range of valid props, every Kubernetes object a GpuNodePool plans validates
// against the upstream schemas (kubernetes-models, @kubernetes-models/karpenter), and the binding it offers
// matches the nodes it plans.
import { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1";
import { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import fc from "fast-check";
import { DaemonSet } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { GPU_INSTANCE_TYPES } from "../../src/catalog/gpu-instance-types";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import type { KubernetesObject } from "../../src/plan/types";
import type { GpuNodePoolProps } from "../../src/specs/gpu-node-pool";

// biome-ignore lint/suspicious/noExplicitAny: each model class takes its own typed data
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "apps/v1/DaemonSet": DaemonSet,
  "karpenter.sh/v1/NodePool": NodePool,
  "karpenter.k8s.aws/v1/EC2NodeClass": EC2NodeClass,
  "v1/Service": Service,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

function validateUpstream(object: KubernetesObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no upstream schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

const name = fc.stringMatching(/^[a-z]([a-z0-9-]{0,34}[a-z0-9])?$/);
const instanceTypes = fc.subarray(
  GPU_INSTANCE_TYPES.map((t) => t.name),
  { minLength: 1, maxLength: 6 },
);
const labelKey = fc.stringMatching(/^([a-z]{1,10}\.example\.com\/)?[a-z][a-z0-9_.-]{0,20}[a-z0-9]$/);
const labelValue = fc.stringMatching(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,20}[A-Za-z0-9])?)?$/);
const common = {
  clusterName: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/),
  instanceTypes,
  capacityType: fc.option(fc.constantFrom("ON_DEMAND" as const, "SPOT" as const), { nil: undefined }),
  amiType: fc.option(
    fc.constantFrom("AL2023_x86_64_NVIDIA" as const, "BOTTLEROCKET_x86_64_NVIDIA" as const),
    {
      nil: undefined,
    },
  ),
  diskSizeGiB: fc.option(fc.integer({ min: 20, max: 16_384 }), { nil: undefined }),
  labels: fc.option(fc.dictionary(labelKey, labelValue, { maxKeys: 4 }), { nil: undefined }),
  imdsHopLimit: fc.option(fc.constantFrom(1 as const, 2 as const), { nil: undefined }),
  dcgmExporter: fc.option(
    fc.record({
      enabled: fc.boolean(),
      namespace: fc.option(fc.constantFrom("kube-system", "gpu-metrics"), { nil: undefined }),
      serviceMonitorLabels: fc.option(fc.dictionary(labelKey, labelValue, { maxKeys: 2 }), {
        nil: undefined,
      }),
      scrapeIntervalSeconds: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
    }),
    { nil: undefined },
  ),
};
const subnetIds = fc.array(fc.stringMatching(/^subnet-[0-9a-f]{17}$/), { minLength: 1, maxLength: 4 });

const managedProps: fc.Arbitrary<GpuNodePoolProps> = fc
  .record({
    ...common,
    subnetIds,
    nodes: fc
      .tuple(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 100 }),
      )
      .map(([min, span, pick]) => {
        const max = Math.max(1, min + span);
        return { min, max, desired: pick % 2 === 0 ? undefined : min + (pick % (max - min + 1)) };
      }),
    mode: fc.constantFrom(undefined, "managed" as const),
  })
  .map((props) => props as GpuNodePoolProps);

const karpenterProps: fc.Arbitrary<GpuNodePoolProps> = fc
  .record({
    ...common,
    subnetIds: fc.option(subnetIds, { nil: undefined }),
    nodes: fc.integer({ min: 1, max: 200 }).map((max) => ({ min: 0, max })),
    mode: fc.constant("karpenter" as const),
    karpenter: fc.record({
      nodeRoleName: fc.stringMatching(/^[A-Za-z][\w+=,.@-]{0,40}$/),
      amiVersion: fc.option(fc.constantFrom("latest", "v20250920", "v1.47.0"), { nil: undefined }),
      consolidateAfterSeconds: fc.option(fc.integer({ min: 0, max: 86_400 }), { nil: undefined }),
      disruptionBudgetNodes: fc.option(
        fc.oneof(
          fc.integer({ min: 0, max: 50 }).map(String),
          fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
        ),
        { nil: undefined },
      ),
    }),
  })
  .map((props) => props as GpuNodePoolProps);

describe("GpuNodePool Kubernetes objects against the upstream schemas", () => {
  it("validates a wrong object too (the schema check is real)", () => {
    const plan = planGpuNodePool("gpu", {
      clusterName: "c",
      subnetIds: ["subnet-0123456789abcdef0"],
      instanceTypes: ["g5.xlarge"],
      nodes: { min: 0, max: 1 },
    });
    const daemonSet = plan.kubernetesObjects[0]!;
    expect(() => validateUpstream(daemonSet)).not.toThrow();
    const broken = { ...daemonSet, spec: { ...(daemonSet.spec as object), updateStrategy: { type: 3 } } };
    expect(() => validateUpstream(broken)).toThrow(/updateStrategy/);
  });

  it("managed mode: every object validates and the binding matches the planned nodes", () => {
    fc.assert(
      fc.property(name, managedProps, (poolName, props) => {
        const plan = planGpuNodePool(poolName, props);
        for (const object of plan.kubernetesObjects) validateUpstream(object);
        const group = plan.cloudResources.find((r) => r.type === "aws:eks:NodeGroup")!;
        const nodeLabels = group.properties.labels as Record<string, string>;
        expect(nodeLabels).toMatchObject(plan.binding.nodeSelector);
        expect(group.properties.taints).toEqual([
          { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" },
        ]);
        expect(plan.binding.tolerations).toContainEqual({
          key: "nvidia.com/gpu",
          operator: "Exists",
          effect: "NoSchedule",
        });
        const daemonSets = plan.kubernetesObjects.filter((o) => o.kind === "DaemonSet");
        const devicePlugins = props.amiType === "BOTTLEROCKET_x86_64_NVIDIA" ? 0 : 1;
        expect(daemonSets).toHaveLength(devicePlugins + (props.dcgmExporter?.enabled ? 1 : 0));
        for (const object of plan.kubernetesObjects)
          expect(object.metadata.name.length).toBeLessThanOrEqual(63);
      }),
      { numRuns: 150 },
    );
  });

  it("karpenter mode: NodePool, EC2NodeClass and device plugin validate; nodes carry the binding's labels", () => {
    fc.assert(
      fc.property(name, karpenterProps, (poolName, props) => {
        const plan = planGpuNodePool(poolName, props);
        expect(plan.cloudResources).toEqual([]);
        for (const object of plan.kubernetesObjects) validateUpstream(object);
        const nodePool = plan.kubernetesObjects.find((o) => o.kind === "NodePool")!;
        const template = (nodePool.spec as { template: { metadata: { labels: Record<string, string> } } })
          .template;
        expect(template.metadata.labels).toMatchObject(plan.binding.nodeSelector);
        const limit = (nodePool.spec as { limits: Record<string, string> }).limits["nvidia.com/gpu"];
        expect(Number(limit)).toBe(props.nodes.max * plan.capacity.maxGpusPerNode);
      }),
      { numRuns: 150 },
    );
  });
});
