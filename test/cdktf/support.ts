/**
 * Test support for the CDKTF front-end: build a stack as a user's program does, synthesize it with cdktf's
 * own `Testing` helpers, and read the Terraform JSON (resources by type, references between them).
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { expect } from "vitest";
import type { CdktfProviders } from "../../constructs/cdktf/providers";
import type { KubernetesObject } from "../../src/plan/types";
import { restrictedViolations } from "../core/support/pod-security-standard";
import { validateAgainstUpstreamSchema } from "../core/support/schemas";

/** Terraform JSON as cdktf synthesizes it. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, { alias?: string }[]>;
  readonly variable?: Record<string, unknown>;
}

/** A stack in a test app, the synthesized JSON (string, for cdktf's matchers) and the parsed JSON. */
export interface Synthesized {
  readonly json: string;
  readonly config: TerraformJson;
}

/** Creates a stack, lets `build` add constructs to it, and synthesizes it. */
export function synthStack(build: (stack: TerraformStack) => void): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  build(stack);
  const json = Testing.synth(stack);
  return { json, config: JSON.parse(json) as TerraformJson };
}

/** An aliased AWS and Kubernetes provider pair for `region`, as a multi-region program declares them. */
export function regionProviders(stack: TerraformStack, region: string): Required<CdktfProviders> {
  return {
    aws: new AwsProvider(stack, `aws-${region}`, { region, alias: region }),
    kubernetes: new KubernetesProvider(stack, `k8s-${region}`, {
      alias: region,
      configPath: "~/.kube/config",
      configContext: `prod-${region}`,
    }),
  };
}

/** A Terraform interpolation of `expression`, as synthesized JSON holds it: `${expression}`. */
export function interpolation(expression: string): string {
  return `\${${expression}}`;
}

/** The resources of one Terraform type, by their logical names. */
export function resourcesOfType(
  config: TerraformJson,
  type: string,
): Record<string, Record<string, unknown>> {
  return config.resource?.[type] ?? {};
}

/** The planned objects held by the stack's `kubernetes_manifest`s, as Terraform will apply them. */
export function manifests(config: TerraformJson): KubernetesObject[] {
  return Object.values(resourcesOfType(config, "kubernetes_manifest")).map(
    (resource) => unescapeTemplates(resource.manifest) as KubernetesObject,
  );
}

/** What Terraform makes of a literal string: `$${` is `${`, `%%{` is `%{`. */
function unescapeTemplates(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
  if (Array.isArray(value)) return value.map(unescapeTemplates);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unescapeTemplates(item)]));
}

/** Every string in `value`, at any depth (keys included). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
}

/** Addresses the stack defines: `type.name`, `data.type.name`, `var.name`, providers' `type.alias`. */
function definedAddresses(config: TerraformJson): Set<string> {
  const defined = new Set<string>();
  for (const [type, byName] of Object.entries(config.resource ?? {}))
    for (const name of Object.keys(byName)) defined.add(`${type}.${name}`);
  for (const [type, byName] of Object.entries(config.data ?? {}))
    for (const name of Object.keys(byName)) defined.add(`data.${type}.${name}`);
  for (const name of Object.keys(config.variable ?? {})) defined.add(`var.${name}`);
  for (const [type, list] of Object.entries(config.provider ?? {}))
    for (const provider of list) defined.add(provider.alias ? `${type}.${provider.alias}` : type);
  return defined;
}

/** A reference inside a Terraform expression: `[data.]provider_type.name`. */
const REFERENCE = /(?<![\w.])((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*|var\.[A-Za-z_][\w-]*)/g;
/** A template interpolation `${...}` that is not escaped (`$${` is a literal). */
const INTERPOLATION = /(?<!\$)\$\{([^}]*)\}/g;

/** One reference found in the synthesized JSON. */
export interface FoundReference {
  /** The resource it is in. */
  readonly where: string;
  /** The address it names: `type.name`, `data.type.name` or a provider `type.alias`. */
  readonly address: string;
  /** Whether the stack defines that address. */
  readonly resolves: boolean;
}

/**
 * Every reference in the synthesized JSON, in `${...}` expressions, `depends_on` and `provider`, with whether
 * it names something the stack defines.
 */
export function references(config: TerraformJson): FoundReference[] {
  const defined = definedAddresses(config);
  const found: FoundReference[] = [];
  const note = (where: string, address: string) =>
    found.push({ where, address, resolves: defined.has(address) });
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    for (const [name, resource] of Object.entries(byName)) {
      const where = `${type}.${name}`;
      for (const text of strings(resource))
        for (const [, expression] of text.matchAll(INTERPOLATION))
          for (const [address] of (expression ?? "").matchAll(REFERENCE)) note(where, address);
      for (const dependency of (resource.depends_on as string[] | undefined) ?? []) note(where, dependency);
      const provider = resource.provider as string | undefined;
      if (provider !== undefined) note(where, provider);
    }
  }
  return found;
}

/** The references that name nothing the stack defines (`where: address`). */
export function danglingReferences(config: TerraformJson): string[] {
  return references(config)
    .filter((reference) => !reference.resolves)
    .map((reference) => `${reference.where}: ${reference.address}`);
}

/**
 * Checks planned objects as Terraform will apply them: each against its upstream schema, each Deployment's
 * pod against the restricted Pod Security Standard (the same checks as the core's and Pulumi's output).
 * Returns the number of objects checked.
 */
export function expectClusterChecksPass(objects: readonly KubernetesObject[]): number {
  const checked = objects.filter((o) => o.kind !== "DaemonSet");
  for (const object of checked)
    expect(() => validateAgainstUpstreamSchema(object), `${object.kind}`).not.toThrow();
  for (const deployment of checked.filter((o) => o.kind === "Deployment")) {
    const podSpec = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(restrictedViolations(podSpec), deployment.metadata.name).toEqual([]);
  }
  return checked.length;
}

/** A managed GPU pool in one region. */
export const poolProps = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
};

/** A model in S3 on one GPU per pod. */
export const serviceProps = {
  model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: "a".repeat(64) },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
  auth: { tokenSecret: { name: "resnet-token" } },
};

/** An HPA-scaled endpoint behind an internet-facing NLB, closed to all but one range, with TLS. */
export const endpointProps = {
  replicas: { min: 2, max: 4 }, // the pool's nodes.max x 1 GPU
  target: { inflightRequestsPerReplica: 8 },
  exposure: {
    type: "nlb" as const,
    scheme: "internet-facing" as const,
    sourceRanges: ["203.0.113.0/24"],
    admitRoute53HealthCheckers: true,
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: {
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
    },
  },
};
