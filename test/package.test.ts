import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/index";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
  exports: Record<string, unknown>;
};
const root = new URL("..", import.meta.url).pathname;
const entries = Object.keys(pkg.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? "onnxfleet" : `onnxfleet/${key.slice(2)}`));

describe("the published package", () => {
  it("exposes the package.json version as VERSION", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it.each(entries)("%s loads with require() and import, sharing one module instance", (entry) => {
    const script = `
      const viaRequire = require(${JSON.stringify(entry)});
      import(${JSON.stringify(entry)}).then((viaImport) => {
        const names = Object.keys(viaRequire).filter((n) => n !== "__esModule" && n !== "default");
        for (const name of names) if (viaImport[name] !== viaRequire[name]) throw new Error("mismatch " + name);
        process.stdout.write(String(names.length));
      });`;
    const exported = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(Number(exported)).toBeGreaterThanOrEqual(entry === "onnxfleet" ? 1 : 0);
  });
});
