/**
 * The two-region program of docs/cdktf.md ("The program"), as a user copies it: type-checked and synthesized
 * from the document's own text, so the documentation cannot drift from what works.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { danglingReferences, type TerraformJson } from "./support";

const doc = readFileSync(new URL("../../docs/cdktf.md", import.meta.url), "utf8");
const section = doc.slice(doc.indexOf("## The program"));
const program = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";

describe("docs/cdktf.md, The program", () => {
  it("synthesizes, with node groups, health checks and records on the right providers, every reference resolving", async () => {
    expect(program).toContain("new MultiRegionFailover(");
    // A file beside the tests, so `onnxfleet/cdktf` resolves as in the repository's own programs.
    const file = fileURLToPath(new URL("./docs-program.generated.ts", import.meta.url));
    const outdir = mkdtempSync(join(tmpdir(), "onnxfleet-docs-program-"));
    writeFileSync(file, program);
    process.env.CDKTF_OUTDIR = outdir;
    try {
      const diagnostics = ts
        .createProgram([file], {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.Preserve,
          moduleResolution: ts.ModuleResolutionKind.Bundler,
          noUncheckedIndexedAccess: true,
          types: ["node"],
          paths: {
            "onnxfleet/cdktf": [fileURLToPath(new URL("../../constructs/cdktf/index.ts", import.meta.url))],
          },
        })
        .getSemanticDiagnostics()
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(diagnostics).toEqual([]);
      await import(/* @vite-ignore */ file);
    } finally {
      rmSync(file, { force: true });
      delete process.env.CDKTF_OUTDIR;
    }
    const config = JSON.parse(
      readFileSync(join(outdir, "stacks", "inference", "cdk.tf.json"), "utf8"),
    ) as TerraformJson;
    const providersOf = (type: string) =>
      Object.values(config.resource?.[type] ?? {})
        .map((r) => r.provider)
        .sort();
    expect(providersOf("aws_eks_node_group")).toEqual(["aws.eu-west-1", "aws.us-east-1"]);
    expect(providersOf("aws_eks_pod_identity_association")).toEqual(["aws.eu-west-1", "aws.us-east-1"]);
    expect(providersOf("aws_route53_health_check")).toEqual(["aws.global", "aws.global"]);
    expect(
      Object.values(config.resource?.aws_route53_record ?? {})
        .map((r) => [r.set_identifier, (r.failover_routing_policy as { type: string }).type])
        .sort(),
    ).toEqual([
      ["eu-west-1", "SECONDARY"],
      ["us-east-1", "PRIMARY"],
    ]);
    expect(danglingReferences(config)).toEqual([]);
  }, 120_000);
});
