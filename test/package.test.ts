/**
 * The published package as users load it: every entry point through `require` and `import` (one module
 * instance), with the names users rely on, and dependencies that the constructs actually run. Reads dist/:
 * `npm run build` first (`npm test` does). The packed tarball itself is checked by
 * scripts/check-package.mjs (publint, attw, file list) in `npm test`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/index";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  bin: Record<string, string>;
};
const root = new URL("..", import.meta.url).pathname;
if (!existsSync(join(root, "dist/src/index.js")))
  throw new Error("dist/ is missing: run `npm run build` first");

const entries = Object.keys(pkg.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? "onnxfleet" : `onnxfleet/${key.slice(2)}`));

/** Names each entry point must export (a few users cannot do without; the API report has the full list). */
const MUST_EXPORT: Record<string, readonly string[]> = {
  onnxfleet: ["planModelService", "planGpuNodePool", "ValidationError", "VERSION", "renderTopology"],
  "onnxfleet/pulumi": ["GpuNodePool", "ModelService", "AutoscaledEndpoint", "MultiRegionFailover"],
  "onnxfleet/pulumi/testing": ["onnxfleetMocks"],
  "onnxfleet/cdktf": ["GpuNodePool", "ModelService", "AutoscaledEndpoint", "MultiRegionFailover"],
  "onnxfleet/server": ["buildApp", "start", "loadConfig", "ModelRepository", "fetchModel"],
};

/** The packages that the JavaScript under `dir` (in dist/) requires by name. */
function requiredPackages(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(join(root, "dist", dir), { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".js")) continue;
    const text = readFileSync(join(root, "dist", dir, entry), "utf8");
    for (const [, specifier] of text.matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
      if (specifier === undefined || specifier.startsWith("node:") || builtinModules.includes(specifier))
        continue;
      found.add(
        specifier
          .split("/")
          .slice(0, specifier.startsWith("@") ? 2 : 1)
          .join("/"),
      );
    }
  }
  return found;
}

describe("the published package", () => {
  it("exposes the package.json version as VERSION", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it("lists every entry point this test knows the names of", () => {
    expect(entries.sort()).toEqual(Object.keys(MUST_EXPORT).sort());
  });

  it.each(entries)("%s loads with require() and import, sharing one module instance", (entry) => {
    const script = `
      const viaRequire = require(${JSON.stringify(entry)});
      import(${JSON.stringify(entry)}).then((viaImport) => {
        const names = Object.keys(viaRequire).filter((n) => n !== "__esModule" && n !== "default");
        for (const name of names) if (viaImport[name] !== viaRequire[name]) throw new Error("mismatch " + name);
        process.stdout.write(JSON.stringify(names));
      });`;
    const exported = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }),
    );
    expect(exported).toEqual(expect.arrayContaining([...(MUST_EXPORT[entry] ?? [])]));
  });

  it("depends only on what the core and the constructs require; the server's runtime is an optional peer", () => {
    const constructs = new Set([...requiredPackages("src"), ...requiredPackages("constructs")]);
    for (const name of Object.keys(pkg.dependencies))
      expect(constructs, `dependency ${name}`).toContain(name);
    const serverOnly = [...requiredPackages("server")].filter((name) => !constructs.has(name));
    expect(serverOnly).toContain("onnxruntime-node");
    for (const name of serverOnly) {
      expect(pkg.dependencies[name], `${name} must not be a dependency`).toBeUndefined();
      expect(pkg.peerDependencies[name], `${name} must be an optional peer dependency`).toBeDefined();
    }
  });

  it.each(Object.keys(pkg.bin))("%s --version prints the package version", (name) => {
    const out = execFileSync(process.execPath, [join(root, pkg.bin[name] as string), "--version"], {
      encoding: "utf8",
    });
    expect(out).toBe(`${pkg.version}\n`);
  });
});
