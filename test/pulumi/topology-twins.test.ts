/**
 * #15 "done when": a topology deploys the same way through `pulumi up` (under Pulumi's mocks) and through
 * `onnxfleet render` (the built CLI). Each examples/topology/*.yaml file is deployed by its Pulumi twin (the
 * same props, references by construct instead of by name) and rendered; then:
 * - both paths hold the same Kubernetes objects, field for field, and the namespace labels Pulumi patches are
 *   the ones render lists; the cloud resources Pulumi creates are the ones render lists for Terraform;
 * - every object passes its upstream schema, every model pod the restricted Pod Security Standard;
 * - production checks: no `spec.replicas` on a Deployment an autoscaler owns
 *   (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling),
 *   pods wait for their Pod Identity association (Pulumi: a dependency; render: a listed order), and every
 *   GPU pod selects the labels and tolerates the taints of nodes its pool creates.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  AutoscaledEndpoint,
  type AutoscaledEndpointArgs,
  GpuNodePool,
  type GpuNodePoolArgs,
  ModelService,
  type ModelServiceArgs,
} from "../../constructs/pulumi";
import type { KubernetesObject } from "../../src/plan/types";
import { parseTopology, planTopology, type TopologyFile } from "../../src/render";
import { topologyRequirements } from "../../src/topology-requirements";
import type { Json } from "../core/support/json";
import { restrictedViolations } from "../core/support/pod-security-standard";
import { validateAgainstUpstreamSchema } from "../core/support/schemas";
import { type RecordedResource, recordResources } from "./harness";

const recording = recordResources();
const root = new URL("../../", import.meta.url).pathname;
const files = readdirSync(`${root}examples/topology`).filter((file) => file.endsWith(".yaml"));

/**
 * The Pulumi program of a topology file: the same props (plain values, which every Pulumi Input accepts), each
 * reference the construct it names.
 */
function pulumiTwin(topology: TopologyFile): void {
  const pools = new Map<string, GpuNodePool>();
  for (const [name, props] of Object.entries(topology.gpuNodePools ?? {}))
    pools.set(name, new GpuNodePool(name, props as GpuNodePoolArgs));
  const services = new Map<string, ModelService>();
  for (const [name, { nodePool, ...props }] of Object.entries(topology.modelServices ?? {}))
    services.set(
      name,
      new ModelService(name, {
        ...(props as ModelServiceArgs),
        ...(nodePool ? { nodePool: pools.get(nodePool) } : {}),
      }),
    );
  for (const [name, { service, ...props }] of Object.entries(topology.autoscaledEndpoints ?? {}))
    new AutoscaledEndpoint(name, {
      ...(props as Omit<AutoscaledEndpointArgs, "service">),
      service: services.get(service) as ModelService,
    });
}

/** The objects `onnxfleet render FILE` prints, and its stderr. */
function render(file: string) {
  const result = spawnSync(process.execPath, [`${root}bin/onnxfleet.cjs`, "render", file], {
    cwd: root,
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return {
    objects: parseAllDocuments(result.stdout).map((d) => d.toJS()) as KubernetesObject[],
    stderr: result.stderr,
  };
}

const key = (o: { kind?: unknown; metadata?: unknown }) =>
  `${String(o.kind)}/${(o.metadata as { name: string }).name}`;
const NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch";

/** What a pod of `deployment` needs of a node: the labels it selects, the taints it must tolerate. */
function podSpec(object: KubernetesObject): Json {
  return (object as Json).spec.template.spec;
}
function gpuRequest(pod: Json): number {
  return Math.max(
    0,
    ...(pod.containers as Json[]).map((c) => Number(c.resources?.limits?.["nvidia.com/gpu"] ?? 0)),
  );
}
function tolerates(pod: Json, taint: { key: string; value?: string; effect: string }): boolean {
  return ((pod.tolerations ?? []) as Json[]).some(
    (t) =>
      t.key === taint.key &&
      (t.effect === undefined || t.effect === taint.effect) &&
      (t.operator === "Exists" || t.value === taint.value),
  );
}

describe.each(files)("examples/topology/%s through pulumi up and onnxfleet render", (file) => {
  const topology = parseTopology(readFileSync(`${root}examples/topology/${file}`, "utf8"), file);
  const plan = planTopology(topology);
  const requirements = topologyRequirements(topology, plan);
  let pulumiObjects: RecordedResource[] = [];
  let rendered: KubernetesObject[] = [];
  beforeAll(async () => {
    recording.reset();
    expect(topology.multiRegionFailovers ?? {}).toEqual({}); // failover records need live NLB hostnames
    pulumiTwin(topology);
    await recording.settle();
    pulumiObjects = recording.resources.filter(
      (r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== NAMESPACE_PATCH,
    );
    rendered = render(`examples/topology/${file}`).objects;
  });

  it("gives the same Kubernetes objects, namespace labels and cloud resources on both paths", () => {
    expect(rendered.length).toBeGreaterThan(0);
    expect(pulumiObjects.map((r) => key(r.inputs)).sort()).toEqual(rendered.map(key).sort());
    for (const object of rendered)
      expect(pulumiObjects.find((r) => key(r.inputs) === key(object))?.inputs, key(object)).toEqual(object);
    // Pulumi patches the namespace; render lists the same labels as a requirement.
    const patches = recording.resources
      .filter((r) => r.type === NAMESPACE_PATCH)
      .map((r) => r.inputs.metadata);
    const listedLabels = requirements.cluster
      .filter((c) => c.what.startsWith("namespace "))
      .map((c) => ({ name: JSON.parse(c.what.split(" ")[1]!), labels: c.planned }));
    expect(patches).toEqual(listedLabels);
    // Pulumi creates exactly the cloud resources render lists for Terraform or the console.
    const pulumiCloud = recording.resources
      .filter((r) => r.custom && r.type.startsWith("aws:"))
      .map((r) => r.name);
    expect(pulumiCloud.sort()).toEqual(requirements.cloudResources.map((r) => r.resource.logicalName).sort());
  });

  it("passes the upstream schemas, and every model pod the restricted Pod Security Standard", () => {
    for (const object of rendered)
      expect(() => validateAgainstUpstreamSchema(object), key(object)).not.toThrow();
    const models = rendered.filter((o) => o.kind === "Deployment");
    expect(models.length).toBe(
      Object.values(plan.modelServices).reduce((n, service) => n + service.versions.length, 0),
    );
    for (const deployment of models)
      expect(restrictedViolations(podSpec(deployment)), key(deployment)).toEqual([]);
  });

  it("leaves spec.replicas off every Deployment an autoscaler owns", () => {
    const scaled = rendered
      .filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "ScaledObject")
      .map((o) => (o as Json).spec.scaleTargetRef.name as string);
    expect(scaled.length).toBe(
      Object.values(plan.autoscaledEndpoints).reduce((n, e) => n + e.scaledDeployments.length, 0),
    );
    for (const name of scaled) {
      const deployment = rendered.find((o) => o.kind === "Deployment" && o.metadata.name === name) as Json;
      expect(deployment, name).toBeDefined();
      expect(deployment.spec.replicas, name).toBeUndefined();
    }
  });

  it("creates pods only after their Pod Identity association: a Pulumi dependency, a listed order in render", () => {
    const associations = recording.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
    for (const association of associations) {
      const service = association.name.replace(/-pod-identity$/, "");
      for (const version of plan.modelServices[service]?.versions ?? []) {
        const deployment = recording.get("kubernetes:apps/v1:Deployment", version.deploymentName);
        expect(deployment.dependencies, version.deploymentName).toContain(association.urn);
        expect(
          requirements.cluster.some(
            (c) =>
              c.what ===
                `apply Deployment ${version.deploymentName} only after these cloud resources exist` &&
              (c.planned as string[]).includes(association.name),
          ),
        ).toBe(true);
      }
    }
    const inS3 = Object.values(plan.modelServices).filter((s) => s.s3ReadAccess);
    expect(associations.length).toBe(inS3.length);
  });

  it("lets every GPU pod land on its pool's GPU nodes: it selects their labels and tolerates their taints", () => {
    const gpuPods = rendered.filter((o) => o.kind === "Deployment" && gpuRequest(podSpec(o)) > 0);
    expect(gpuPods.length).toBe(
      Object.values(plan.modelServices)
        .filter((service) => service.spec.resources.gpu > 0)
        .reduce((n, service) => n + service.versions.length, 0),
    );
    for (const deployment of gpuPods) {
      const pod = podSpec(deployment);
      const selector = pod.nodeSelector as Record<string, string>;
      // The nodes of the pool the selector names: a managed node group (Pulumi's inputs) or a Karpenter NodePool.
      const poolName = selector["onnxfleet.dev/node-pool"] as string;
      const nodeGroup = recording.resources.find(
        (r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.name === `${poolName}-node-group`,
      );
      const karpenter = rendered.find((o) => o.kind === "NodePool" && o.metadata.name === poolName) as Json;
      const node = nodeGroup
        ? {
            labels: nodeGroup.inputs.labels as Record<string, string>,
            taints: (nodeGroup.inputs.taints as Json[]).map((t) => ({
              ...t,
              effect: {
                NO_SCHEDULE: "NoSchedule",
                NO_EXECUTE: "NoExecute",
                PREFER_NO_SCHEDULE: "PreferNoSchedule",
              }[t.effect as string],
            })),
          }
        : { labels: karpenter?.spec.template.metadata.labels, taints: karpenter?.spec.template.spec.taints };
      expect(node.labels, `${key(deployment)}: no nodes for pool ${poolName}`).toBeDefined();
      for (const [label, value] of Object.entries(selector)) expect(node.labels[label], label).toBe(value);
      for (const taint of node.taints as { key: string; value?: string; effect: string }[])
        expect(tolerates(pod, taint), `${key(deployment)} tolerates ${taint.key}`).toBe(true);
      // And the pool's nodes have at least the GPUs one pod asks for.
      const binding = plan.gpuNodePools[poolName]?.binding;
      expect(binding?.gpusPerNode ?? 0).toBeGreaterThanOrEqual(gpuRequest(pod));
    }
  });
});
