/**
 * Synthesizes examples/cdktf-multi-region and examples/cdktf-single-region as `cdktf synth` would: their own
 * `app.synth()` (cdktf-cli needs the network to fetch Terraform; the program is the same), with the context
 * `cdktf synth` reads from cdktf.json, into a temporary output directory. The examples import
 * `onnxfleet/cdktf` like a user's program.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { describe, expect, it } from "vitest";
import { OPERATED_RESNET_ON_GPU_POOL } from "../core/support/observability";
import { validateAgainstUpstreamSchema } from "../core/support/schemas";
import {
  danglingReferences,
  expectClusterChecksPass,
  interpolation,
  manifests,
  resourcesOfType,
  type TerraformJson,
} from "./support";

const examples = new URL("../../examples/", import.meta.url);

/** Runs an example's main.ts with cdktf.json's context into a fresh output directory; its stack's JSON. */
async function synthExample(name: string, stack: string): Promise<TerraformJson> {
  const dir = new URL(`${name}/`, examples);
  const cdktfJson = JSON.parse(readFileSync(new URL("cdktf.json", dir), "utf8")) as { context?: object };
  const outdir = mkdtempSync(join(tmpdir(), `onnxfleet-${name}-`));
  process.env.CDKTF_OUTDIR = outdir;
  process.env.CDKTF_CONTEXT_JSON = JSON.stringify(cdktfJson.context ?? {});
  try {
    await import(new URL("main.ts", dir).href);
  } finally {
    delete process.env.CDKTF_OUTDIR;
    delete process.env.CDKTF_CONTEXT_JSON;
  }
  return JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson;
}

const multi = await synthExample("cdktf-multi-region", "inference");
const single = await synthExample("cdktf-single-region", "inference");

describe("examples/cdktf-multi-region", () => {
  it("puts an NVIDIA node group per region on that region's aliased provider", () => {
    const groups = Object.values(resourcesOfType(multi, "aws_eks_node_group"));
    expect(groups.map((g) => [g.cluster_name, g.ami_type, g.provider]).sort()).toEqual([
      ["prod-euw1", "AL2023_x86_64_NVIDIA", "aws.eu-west-1"],
      ["prod-use1", "AL2023_x86_64_NVIDIA", "aws.us-east-1"],
    ]);
  });

  it("routes the variable domain name PRIMARY to the first region and SECONDARY to the second", () => {
    const records = Object.values(resourcesOfType(multi, Route53Record.tfResourceType));
    expect(
      records.map((r) => [r.set_identifier, r.failover_routing_policy, r.name, r.zone_id, r.provider]).sort(),
    ).toEqual([
      [
        "eu-west-1",
        { type: "SECONDARY" },
        interpolation("var.domainName"),
        interpolation("var.hostedZoneId"),
        "aws.global",
      ],
      [
        "us-east-1",
        { type: "PRIMARY" },
        interpolation("var.domainName"),
        interpolation("var.hostedZoneId"),
        "aws.global",
      ],
    ]);
  });

  it("references only what the stack defines (the clusters' data sources included)", () => {
    expect(Object.keys(multi.data?.aws_eks_cluster ?? {})).toHaveLength(2);
    expect(danglingReferences(multi)).toEqual([]);
  });

  it("holds manifests that pass the upstream schemas and the restricted Pod Security Standard", () => {
    expect(expectClusterChecksPass(manifests(multi))).toBeGreaterThan(10);
  });
});

describe("examples/cdktf-single-region", () => {
  it("creates the pool, the service and an NLB endpoint on the default providers, and outputs the hostname", () => {
    const types = Object.keys(single.resource ?? {}).sort();
    expect(types).toEqual(
      [
        "aws_eks_node_group",
        "aws_eks_pod_identity_association",
        "aws_iam_policy",
        "aws_iam_role",
        "aws_iam_role_policy_attachment",
        "aws_launch_template",
        "kubernetes_manifest",
        // the NLB's pod readiness gate label on the service's namespace
        "kubernetes_labels",
      ].sort(),
    );
    for (const byName of Object.values(single.resource ?? {}))
      for (const resource of Object.values(byName)) expect(resource.provider).toBeUndefined();
    const output = (single as { output?: Record<string, { value: string }> }).output?.hostname?.value;
    expect(output).toMatch(
      /^\$\{kubernetes_manifest\.resnet-endpoint_service-resnet-nlb_[0-9A-F]{8}\.object\.status/,
    );
    expect(danglingReferences(single)).toEqual([]);
  });

  it("carries the alerts, the dashboard and the pool's DCGM exporter, each valid against its upstream schema", () => {
    const objects = manifests(single);
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining([...OPERATED_RESNET_ON_GPU_POOL]));
    for (const o of objects.filter((o) => ["PrometheusRule", "ConfigMap", "DaemonSet"].includes(o.kind)))
      expect(() => validateAgainstUpstreamSchema(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });
});

describe("examples/cdktf-multi-region: operations", () => {
  it("carries each region's alerts and dashboard (the endpoint's scrape brings them)", () => {
    const kinds = manifests(multi).map((o) => `${o.kind}/${o.metadata.name}`);
    for (const region of ["us-east-1", "eu-west-1"])
      expect(kinds).toEqual(
        expect.arrayContaining([
          `ServiceMonitor/resnet-${region}`,
          `PrometheusRule/resnet-${region}`,
          `ConfigMap/resnet-${region}-dashboard`,
        ]),
      );
  });
});
