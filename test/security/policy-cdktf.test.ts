/**
 * Policy as code over CDKTF synthesis: examples/cdktf-multi-region (internet-facing NLBs in two regions behind
 * Route53 failover, the token a sensitive variable) synthesized as `cdktf synth` would, every
 * kubernetes_manifest and AWS resource of the Terraform JSON checked by test/support/security-policy.ts.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { manifests, resourcesOfType, type TerraformJson } from "../cdktf/support";
import { type PolicyCloudResource, securityViolations } from "../support/security-policy";

const dir = new URL("../../examples/cdktf-multi-region/", import.meta.url);
const cdktfJson = JSON.parse(readFileSync(new URL("cdktf.json", dir), "utf8")) as { context?: object };
const outdir = mkdtempSync(join(tmpdir(), "onnxfleet-policy-cdktf-"));
process.env.CDKTF_OUTDIR = outdir;
process.env.CDKTF_CONTEXT_JSON = JSON.stringify(cdktfJson.context ?? {});
await import(new URL("main.ts", dir).href);
const synth = JSON.parse(
  readFileSync(join(outdir, "stacks", "inference", "cdk.tf.json"), "utf8"),
) as TerraformJson;

const kubernetesObjects = manifests(synth) as unknown as Record<string, unknown>[];
/** A Terraform `${jsonencode(...)}` trust policy is read through the keys it names (it is an expression). */
const cloudResources: PolicyCloudResource[] = [
  ...Object.entries(resourcesOfType(synth, "aws_iam_policy")).map(([name, r]) => ({
    type: "aws:iam:Policy",
    name,
    // Terraform's "$${" writes a literal "${" (an IAM policy variable such as ${*}).
    properties: { policy: String(r.policy).replaceAll("$${", "${") },
  })),
  ...Object.entries(resourcesOfType(synth, "aws_iam_role"))
    .filter(([, r]) => !String(r.assume_role_policy).startsWith("${"))
    .map(([name, r]) => ({
      type: "aws:iam:Role",
      name,
      properties: { assumeRolePolicy: r.assume_role_policy },
    })),
];

describe("policy as code over examples/cdktf-multi-region (CDKTF synth)", () => {
  it("has internet-facing NLBs, token Secrets and model policies to check", () => {
    const lbs = kubernetesObjects.filter(
      (o) => o.kind === "Service" && (o.spec as { type?: string }).type === "LoadBalancer",
    );
    expect(lbs).toHaveLength(2);
    expect(kubernetesObjects.filter((o) => o.kind === "Secret")).toHaveLength(2);
    expect(cloudResources.filter((r) => r.type === "aws:iam:Policy").length).toBeGreaterThan(0);
  });

  it("passes every rule over the manifests and AWS resources", () => {
    expect(securityViolations({ kubernetesObjects, cloudResources })).toEqual([]);
  });

  it("scopes each Pod Identity trust policy: Terraform encodes the document with the four conditions", () => {
    const trusts = Object.values(resourcesOfType(synth, "aws_iam_role"))
      .map((r) => String(r.assume_role_policy))
      .filter((policy) => policy.includes("pods.eks.amazonaws.com"));
    expect(trusts).toHaveLength(2);
    for (const policy of trusts) {
      expect(policy.startsWith("${jsonencode(")).toBe(true);
      for (const key of [
        "aws:SourceAccount",
        "aws:RequestTag/eks-cluster-name",
        "aws:RequestTag/kubernetes-namespace",
        "aws:RequestTag/kubernetes-service-account",
      ])
        expect(policy).toContain(key);
      // The account is the read policy's ARN's fifth field.
      expect(policy).toMatch(/element\(split\(":", aws_iam_policy\.[\w-]+\.arn\), 4\)/);
    }
  });

  it("holds the token as the sensitive variable only, never its value", () => {
    for (const secret of kubernetesObjects.filter((o) => o.kind === "Secret")) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform reference, not a JS template
      expect(secret.stringData).toEqual({ token: "${var.authToken}" });
    }
    expect((synth.variable as Record<string, { sensitive?: boolean }>).authToken?.sensitive).toBe(true);
  });
});
