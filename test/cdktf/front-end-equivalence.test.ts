/**
 * The same props through both front-ends: the CDKTF stack holds exactly the Kubernetes objects Pulumi
 * creates, and the same cloud resources with equivalent properties. The Pulumi side runs under
 * `runtime.setMocks` (test/pulumi/harness.ts); references differ by nature (a Terraform `${...}` expression,
 * a mocked Output value) and are compared by presence.
 */
import { describe, expect, it } from "vitest";
import * as cdktf from "../../constructs/cdktf";
import * as pulumiFront from "../../constructs/pulumi";
import { recordResources } from "../pulumi/harness";
import {
  manifests,
  resourcesOfType,
  endpointProps as supportEndpointProps,
  poolProps as supportPoolProps,
  serviceProps as supportServiceProps,
  synthStack,
} from "./support";

const recording = recordResources();

// The shared props of test/cdktf/support.ts, with a two-type pool of 8 nodes, the scrape on, and room for
// 8 replicas.
const poolProps = {
  ...supportPoolProps,
  instanceTypes: ["g5.xlarge", "g6.xlarge"],
  nodes: { min: 1, max: 8 },
};
const serviceProps = { ...supportServiceProps, monitoring: { serviceMonitor: true } };
const endpointProps = { ...supportEndpointProps, replicas: { min: 2, max: 8 } };
const failoverProps = {
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  domainName: "infer.example.com",
  routing: "failover" as const,
  maxFailoverSeconds: 60,
};
const standby = {
  region: "us-west-2" as const,
  endpoint: { hostname: "standby.elb.us-west-2.amazonaws.com" },
};

/** Terraform resource type of each `@pulumi/aws` type token the front-ends create. */
const TERRAFORM_TYPES: Record<string, string> = {
  "aws:iam/role:Role": "aws_iam_role",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
  "aws:iam/policy:Policy": "aws_iam_policy",
  "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
  "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": "aws_eks_pod_identity_association",
  "aws:route53/healthCheck:HealthCheck": "aws_route53_health_check",
  "aws:route53/record:Record": "aws_route53_record",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
};

/** Where Terraform's schema differs from Pulumi's: a list Pulumi names in the plural, a block of one. */
const TERRAFORM_SPELLING: Record<string, { name: string; single?: boolean }> = {
  taints: { name: "taint" },
  failoverRoutingPolicies: { name: "failover_routing_policy", single: true },
  latencyRoutingPolicies: { name: "latency_routing_policy", single: true },
};
/** Attributes whose keys are data (labels, tags), not attribute names. */
const MAPS = new Set(["labels", "tags", "dimensions"]);
const META = new Set(["provider", "depends_on", "lifecycle", "//"]);

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Pulumi inputs spelled as Terraform attributes. */
function asTerraform(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asTerraform);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const spelling = TERRAFORM_SPELLING[key];
      if (spelling) return [spelling.name, asTerraform(spelling.single ? (item as unknown[])[0] : item)];
      return [snake(key), MAPS.has(key) ? item : asTerraform(item)];
    }),
  );
}

const REFERENCE = "<reference>";
/** `terraform` and `pulumi` with each Terraform reference, and the value Pulumi has at its place, marked. */
function markReferences(terraform: unknown, pulumi: unknown): [unknown, unknown] {
  if (typeof terraform === "string" && terraform.includes("${"))
    return [REFERENCE, pulumi === undefined ? undefined : REFERENCE];
  if (Array.isArray(terraform)) {
    // Lists of different lengths differ whatever their items; leave them for the comparison to show.
    if (!Array.isArray(pulumi) || pulumi.length !== terraform.length) return [terraform, pulumi];
    const pairs = terraform.map((item, i) => markReferences(item, pulumi[i]));
    return [pairs.map(([t]) => t), pairs.map(([, p]) => p)];
  }
  if (terraform === null || typeof terraform !== "object") return [terraform, pulumi];
  const other = (pulumi ?? {}) as Record<string, unknown>;
  const t: Record<string, unknown> = {};
  const p: Record<string, unknown> = { ...other };
  for (const [key, item] of Object.entries(terraform)) {
    if (META.has(key)) continue;
    [t[key], p[key]] = markReferences(item, other[key]);
    if (p[key] === undefined) delete p[key];
  }
  return [t, pulumi === undefined ? undefined : p];
}

describe("CDKTF and Pulumi front-ends, same props", () => {
  it("give the same Kubernetes objects and equivalent cloud resources", async () => {
    const pool = new pulumiFront.GpuNodePool("gpu", poolProps);
    const service = new pulumiFront.ModelService("resnet", { ...serviceProps, nodePool: pool });
    const endpoint = new pulumiFront.AutoscaledEndpoint("resnet", { ...endpointProps, service });
    new pulumiFront.MultiRegionFailover("global", {
      ...failoverProps,
      regions: [{ region: "us-east-1", endpoint }, standby],
    });
    await recording.settle();

    const { config } = synthStack((stack) => {
      const cdkPool = new cdktf.GpuNodePool(stack, "gpu", poolProps);
      const cdkService = new cdktf.ModelService(stack, "resnet", { ...serviceProps, nodePool: cdkPool });
      const cdkEndpoint = new cdktf.AutoscaledEndpoint(stack, "resnet", {
        ...endpointProps,
        service: cdkService,
      });
      new cdktf.MultiRegionFailover(stack, "global", {
        ...failoverProps,
        regions: [{ region: "us-east-1", endpoint: cdkEndpoint }, standby],
      });
    });

    // Kubernetes: the same objects, field for field.
    const key = (o: { kind?: unknown; metadata?: unknown }) =>
      `${String(o.kind)}/${(o.metadata as { name: string }).name}`;
    const namespacePatch = "kubernetes:core/v1:NamespacePatch";
    const pulumiObjects = recording.resources.filter(
      (r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== namespacePatch,
    );
    // Namespace labels: a Pulumi NamespacePatch and a Terraform kubernetes_labels, with the same labels.
    const patches = recording.resources.filter((r) => r.type === namespacePatch);
    const labels = Object.values(resourcesOfType(config, "kubernetes_labels")) as Record<string, unknown>[];
    expect(patches.length).toBeGreaterThan(0);
    expect(labels.map((l) => ({ name: (l.metadata as { name: string }).name, labels: l.labels }))).toEqual(
      patches.map((p) => p.inputs.metadata),
    );
    const terraformObjects = manifests(config);
    // Waits: each object's Terraform `timeouts` are Pulumi's `customTimeouts` (one core function sets both).
    const manifestResources = Object.values(resourcesOfType(config, "kubernetes_manifest"));
    const waits = manifestResources.map((m) => [key(m.manifest as object), m.timeouts ?? null]);
    expect(waits.filter(([, timeouts]) => timeouts !== null).length).toBeGreaterThan(0);
    expect(Object.fromEntries(waits)).toEqual(
      Object.fromEntries(
        pulumiObjects.map((r) => {
          const { create, update } = r.customTimeouts;
          return [key(r.inputs), create || update ? { create, update } : null];
        }),
      ),
    );
    expect(terraformObjects.map(key).sort()).toEqual(pulumiObjects.map((r) => key(r.inputs)).sort());
    expect(terraformObjects.length).toBeGreaterThan(10);
    for (const object of terraformObjects)
      expect(object, key(object)).toEqual(pulumiObjects.find((r) => key(r.inputs) === key(object))?.inputs);

    // Cloud: each Pulumi resource has its Terraform counterpart, named by the same logical name.
    const pulumiCloud = recording.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    const terraformCount = Object.entries(config.resource ?? {})
      .filter(([type]) => type.startsWith("aws_"))
      .reduce((sum, [, byName]) => sum + Object.keys(byName).length, 0);
    expect(terraformCount).toBe(pulumiCloud.length);
    expect(new Set(pulumiCloud.map((r) => r.type))).toEqual(new Set(Object.keys(TERRAFORM_TYPES)));
    for (const resource of pulumiCloud) {
      const type = TERRAFORM_TYPES[resource.type] as string;
      const id = new RegExp(
        `^[a-z0-9-]+_${resource.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_[0-9A-F]{8}$`,
      );
      const matches = Object.entries(config.resource?.[type] ?? {}).filter(([name]) => id.test(name));
      expect(matches, `${type} ${resource.name}`).toHaveLength(1);
      // A CloudWatch alarm's name is `name` in Pulumi, `alarm_name` in Terraform.
      const { name: alarmName, ...rest } = resource.inputs;
      const inputs =
        resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm" ? { ...rest, alarmName } : resource.inputs;
      const [terraform, pulumi] = markReferences(matches[0]?.[1], asTerraform(inputs));
      expect(pulumi, `${type} ${resource.name}`).toEqual(terraform);
      const lifecycle = matches[0]?.[1].lifecycle as { ignore_changes?: string[] } | undefined;
      const ignored = lifecycle?.ignore_changes ?? [];
      expect(ignored.map((path) => path.replace(/\[0\]/g, ""))).toEqual(resource.ignoreChanges.map(snake));
    }
  });
});
