import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { AutoscaledEndpoint, GpuNodePool, ModelService } from "../../constructs/cdktf";
import { ERROR_CODES, ValidationError } from "../../src/errors";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelService } from "../../src/plan/model-service";
import {
  danglingReferences,
  endpointProps,
  expectClusterChecksPass,
  manifests,
  poolProps,
  regionProviders,
  resourcesOfType,
  serviceProps,
  synthStack,
} from "./support";

type Resource = Record<string, unknown>;
const kindOf = (resource: Resource) => (resource.manifest as { kind: string }).kind;
const nameOf = (resource: Resource) => (resource.manifest as { metadata: { name: string } }).metadata.name;

describe("CDKTF AutoscaledEndpoint behind an NLB", () => {
  let endpoint: AutoscaledEndpoint | undefined;
  const { config } = synthStack((stack) => {
    const providers = regionProviders(stack, "us-east-1");
    const pool = new GpuNodePool(stack, "gpu", { ...poolProps, providers });
    const service = new ModelService(stack, "resnet", { ...serviceProps, nodePool: pool, providers });
    // The same name as its service, as a Pulumi program may write it.
    endpoint = new AutoscaledEndpoint(stack, "resnet", { ...endpointProps, service, providers });
  });
  const servicePlan = planModelService("resnet", serviceProps, planGpuNodePool("gpu", poolProps).binding);
  const plan = planAutoscaledEndpoint("resnet", endpointProps, servicePlan);
  const endpointManifests = Object.entries(resourcesOfType(config, "kubernetes_manifest")).filter(([id]) =>
    id.startsWith("resnet-endpoint_"),
  );

  it("holds the core's HPAs, NLB Service and NetworkPolicy unchanged, on the cluster's provider", () => {
    const held = endpointManifests.map(([, r]) => `${kindOf(r)}/${nameOf(r)}`).sort();
    expect(held).toEqual(plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort());
    for (const [, resource] of endpointManifests) expect(resource.provider).toBe("kubernetes.us-east-1");
    const planned = JSON.parse(JSON.stringify(plan.kubernetesObjects));
    expect(manifests(config)).toEqual(expect.arrayContaining(planned));
    expectClusterChecksPass(planned);
  });

  it("waits for the NLB hostname on the Service and exposes it as a reference to that field", () => {
    const [id, lbService] = endpointManifests.find(([, r]) => kindOf(r) === "Service") ?? [];
    expect(lbService?.wait).toEqual({ fields: { "status.loadBalancer.ingress[0].hostname": "^.+$" } });
    const resolvedHostname = Testing.synthScope((scope) => {
      new TerraformOutput(scope, "hostname", { value: endpoint?.hostname });
    });
    expect(JSON.parse(resolvedHostname).output.hostname.value).toBe(
      `\${kubernetes_manifest.${id}.object.status.loadBalancer.ingress[0].hostname}`,
    );
    expect(endpoint?.port).toBe(443);
    expect(endpoint?.protocol).toBe("HTTPS");
    expect(endpoint?.scheme).toBe("internet-facing");
  });

  it("creates the autoscalers after the service's Deployments, and every reference resolves", () => {
    const deployment = Object.entries(resourcesOfType(config, "kubernetes_manifest")).find(
      ([id, r]) => id.startsWith("resnet_") && kindOf(r) === "Deployment",
    )?.[0];
    const hpa = endpointManifests.find(([, r]) => kindOf(r) === "HorizontalPodAutoscaler")?.[1];
    expect(hpa?.depends_on).toContain(`kubernetes_manifest.${deployment}`);
    expect(danglingReferences(config)).toEqual([]);
  });
});

describe("CDKTF AutoscaledEndpoint, invalid props", () => {
  it("throws the core's ValidationError listing every problem, before any child is created", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "bad");
    const service = new ModelService(stack, "resnet", {
      ...serviceProps,
      resources: { cpu: "2" },
      clusterName: "prod",
    });
    const before = stack.node.children.length;
    let error: unknown;
    try {
      new AutoscaledEndpoint(stack, "resnet", {
        ...endpointProps,
        replicas: { min: 5, max: 3 },
        target: { inflightRequestsPerReplica: 0 },
        service,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.length).toBeGreaterThanOrEqual(2);
    expect((error as ValidationError).message).toContain('AutoscaledEndpoint "resnet"');
    expect(stack.node.children.length).toBe(before);
  });
});

// #15 item 7: two endpoints that each fit their pool alone can still leave pods Pending together.
describe("CDKTF AutoscaledEndpoints sharing one GpuNodePool", () => {
  it("refuses, at synth, the one whose replicas.max with the others' exceeds the pool at nodes.max", () => {
    let error: unknown;
    const { config } = synthStack((stack) => {
      const pool = new GpuNodePool(stack, "gpu", poolProps); // 4 g5.xlarge nodes: 4 GPUs
      const a = new ModelService(stack, "a", { ...serviceProps, nodePool: pool });
      const b = new ModelService(stack, "b", { ...serviceProps, nodePool: pool });
      new AutoscaledEndpoint(stack, "a", { ...endpointProps, service: a, replicas: { min: 1, max: 3 } });
      try {
        new AutoscaledEndpoint(stack, "b", { ...endpointProps, service: b, replicas: { min: 1, max: 2 } });
      } catch (caught) {
        error = caught;
      }
      new AutoscaledEndpoint(stack, "b", { ...endpointProps, service: b, replicas: { min: 1, max: 1 } });
    });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      expect.objectContaining({ path: "replicas.max", code: ERROR_CODES.POOL_GPUS_EXCEEDED }),
    ]);
    expect((error as ValidationError).message).toContain(
      "together 5 pod(s), 5 GPUs, which need 5 node(s); it holds only nodes.max (4)",
    );
    // The refused endpoint left nothing behind; the one that fits was synthesized.
    const hpas = Object.values(resourcesOfType(config, "kubernetes_manifest")).filter(
      (m) => (m.manifest as { kind: string }).kind === "HorizontalPodAutoscaler",
    );
    expect(
      hpas.map((m) => (m.manifest as { spec: { maxReplicas: number } }).spec.maxReplicas).sort(),
    ).toEqual([1, 3]);
  });
});
