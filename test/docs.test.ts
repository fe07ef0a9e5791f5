/**
 * Every TypeScript block of README.md and docs/*.md compiles against the built package, as it would in a
 * user's program, and the README's single-region program runs under the mocks its "Testing your program"
 * section shows (docs/development.md, "TypeScript in the docs"). Reads dist/: `npm run build` first.
 *
 * Each block becomes a module in dist/doc-check/, which resolves `onnxfleet` through a node_modules link to
 * this package (its package.json `exports` and `typesVersions`, as an installed copy would). A fragment
 * declares what it uses in an HTML comment right before its fence: `<!-- ts-preamble ... -->`.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { typescriptBlocks } from "./support/markdown-blocks";

const root = new URL("..", import.meta.url).pathname;
if (!existsSync(join(root, "dist/src/index.d.ts")))
  throw new Error("dist/ is missing: run `npm run build` first");

const docs = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)].filter((doc) =>
  doc.endsWith(".md"),
);
const blocks = docs.flatMap((doc) => typescriptBlocks(doc, readFileSync(join(root, doc), "utf8")));

const work = join(root, "dist/doc-check");
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, "node_modules"), { recursive: true });
// The package as an installed dependency: resolution goes through package.json, not through source paths.
symlinkSync(relative(join(work, "node_modules"), root), join(work, "node_modules/onnxfleet"), "dir");

/** One module per block: preamble, then the block; the block's lines keep their numbers after the preamble. */
const files = blocks.map((block, index) => {
  const file = join(work, `${block.doc.replace(/[/.]/g, "-")}-${index}.ts`);
  writeFileSync(file, `${block.preamble}\n${block.code}\nexport {};\n`);
  return { file, block, offset: block.preamble.split("\n").length };
});

// The README's testing section imports the program as "./index": the single-region program.
const quickStart = blocks.find((b) => b.doc === "README.md" && b.heading === "A single-region program");
if (quickStart) files.push({ file: join(work, "index.ts"), block: quickStart, offset: 1 });
if (quickStart) writeFileSync(join(work, "index.ts"), `\n${quickStart.code}\n`);

/** A Node 16+ module setup (every block), and the `pulumi new typescript` template's options (README.md). */
const CONFIGS: Record<string, ts.CompilerOptions & { only?: string }> = {
  "CommonJS, moduleResolution node16": {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
  },
  "README.md with the pulumi new typescript template's options (commonjs, moduleResolution node)": {
    only: "README.md",
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2020,
    ignoreDeprecations: "6.0",
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
  },
};

function diagnose(options: ts.CompilerOptions, only?: string): string[] {
  const program = ts.createProgram(
    files.filter((f) => only === undefined || f.block.doc === only).map((f) => f.file),
    {
      ...options,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [join(root, "node_modules/@types")],
    },
  );
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const source = files.find((f) => f.file === diagnostic.file?.fileName);
    if (!source || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    const where =
      line < source.offset ? "preamble" : `${source.block.doc}:${source.block.line + line - source.offset}`;
    return `${where} (${source.block.heading}): ${message}`;
  });
}

describe("TypeScript in README.md and docs/", () => {
  it("finds the blocks, the README's three among them", () => {
    expect(blocks.filter((b) => b.doc === "README.md").length).toBeGreaterThanOrEqual(3);
  });

  it.each(Object.entries(CONFIGS))(
    "every block type-checks: %s",
    (_name, { only, ...options }) => {
      expect(diagnose(options, only)).toEqual([]);
    },
    300_000,
  ); // @pulumi/aws's declarations alone take tens of seconds to load

  it("runs the README's single-region program under the mocks of its testing section", () => {
    const readme = blocks.filter((b) => b.doc === "README.md");
    const program = readme.find((b) => b.heading === "A single-region program");
    const testing = readme.find((b) => b.heading === "Testing your program");
    expect(program, "README.md has a block under 'A single-region program'").toBeDefined();
    expect(testing, "README.md has a block under 'Testing your program'").toBeDefined();
    const dir = join(work, "quick-start");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "index.ts"), program!.code);
    writeFileSync(join(dir, "test.ts"), testing!.code);
    const tsx = join(root, "node_modules/tsx/dist/cli.mjs");
    const out = execFileSync(process.execPath, [tsx, join(dir, "test.ts")], { cwd: dir, encoding: "utf8" });
    expect(out.trim()).toBe("resnet-nlb.elb.mock.amazonaws.com");
  }, 120_000);
});
