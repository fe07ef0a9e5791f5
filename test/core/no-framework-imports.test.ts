// The core decides everything without a framework: no file under src/ may import Pulumi, CDKTF, constructs,
// onnxruntime-node, the server or the front-ends.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const srcDir = new URL("../../src/", import.meta.url).pathname;
const FORBIDDEN = [/^@pulumi\//, /^cdktf$/, /^cdktf\//, /^@cdktf\//, /^constructs$/, /^onnxruntime-node/];
const FORBIDDEN_RELATIVE = /(^|\/)\.\.\/(\.\.\/)*(server|constructs)(\/|$)/;
// static imports and re-exports, dynamic import(), require()
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'`]([^"'`]+)["'`]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : /\.(c|m)?[jt]s$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

function forbiddenImports(file: string, text: string): string[] {
  return [...text.matchAll(SPECIFIER)]
    .map((match) => match[1]!)
    .filter(
      (specifier) => FORBIDDEN.some((rule) => rule.test(specifier)) || FORBIDDEN_RELATIVE.test(specifier),
    )
    .map((specifier) => `${file}: ${specifier}`);
}

describe("src/ imports no framework", () => {
  it("scans a real tree", () => {
    expect(sourceFiles(srcDir).length).toBeGreaterThan(10);
  });

  it("no file under src/ imports @pulumi/*, cdktf, @cdktf/*, constructs, onnxruntime-node, server or constructs", () => {
    const offenders = sourceFiles(srcDir).flatMap((file) =>
      forbiddenImports(relative(srcDir, file), readFileSync(file, "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("catches each kind of import (the scan is not blind)", () => {
    const sample = [
      'import * as pulumi from "@pulumi/pulumi";',
      'import type { Construct } from "constructs";',
      'export { App } from "cdktf";',
      'import { s3Bucket } from "@cdktf/provider-aws";',
      'const ort = require("onnxruntime-node");',
      'const lazy = await import("../../server/app");',
      'import "../constructs/pulumi/index";',
      'import { yaml } from "yaml";',
      'import { x } from "./serverless";',
    ].join("\n");
    expect(forbiddenImports("sample.ts", sample)).toEqual([
      "sample.ts: @pulumi/pulumi",
      "sample.ts: constructs",
      "sample.ts: cdktf",
      "sample.ts: @cdktf/provider-aws",
      "sample.ts: onnxruntime-node",
      "sample.ts: ../../server/app",
      "sample.ts: ../constructs/pulumi/index",
    ]);
  });
});
