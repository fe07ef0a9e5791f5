// `onnxfleet render FILE`: main() with captured output, and the real binary (bin/onnxfleet.cjs over the built
// dist/, which `npm run build` produces before the tests in CI).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTopology, renderTopology } from "../../src/render";
import { runCli } from "./support/cli-run";

const root = new URL("../../", import.meta.url).pathname;
const gpuPools = "examples/topology/gpu-pools.yaml";
const badPool = "test/core/fixtures/bad-pool.yaml";

const run = runCli;

describe("onnxfleet render (main)", () => {
  it("prints the rendered topology and exits 0, listing on stderr what it cannot create", async () => {
    const result = await run(["render", gpuPools]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderTopology(parseTopology(readFileSync(`${root}${gpuPools}`, "utf8"))));
    expect(result.stderr).toMatch(/^onnxfleet render: Cloud resources this topology needs/);
    expect(result.stderr).toContain('GpuNodePool "gpu-a10g": aws:eks:NodeGroup gpu-a10g-node-group {');
  });

  it("exits 1 on invalid props, listing every problem with the file name and the error code", async () => {
    const result = await run(["render", badPool]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `onnxfleet render: ${badPool}: 2 problems:`,
        '  GpuNodePool "gpu": instanceTypes[0] ("m5.large") has no NVIDIA GPUs; choose a GPU instance type (catalogued GPU families: g4dn, g5, g6, g6e, p3, p3dn, p4d, p4de, p5, p5e, p5en) [ONNXFLEET_INVALID_PROPS]',
        '  GpuNodePool "gpu": nodes.min (4) must not exceed nodes.max (2) [ONNXFLEET_INVALID_PROPS]',
        "",
      ].join("\n"),
    );
  });

  it("exits 1 on a dangling reference", async () => {
    const file =
      "modelServices:\n  svc:\n    nodePool: nope\n    model: { name: m, uri: s3://b/m.onnx, sha256: x }\n";
    const result = await run(["render", "t.yaml"], { "t.yaml": file });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        "onnxfleet render: t.yaml: 4 problems:",
        '  ModelService "svc": nodePool ("nope") names nothing in gpuNodePools; gpuNodePools is empty [ONNXFLEET_UNKNOWN_REFERENCE]',
        // The service itself is checked too, against a stand-in of the missing pool.
        '  ModelService "svc": model.uri ("s3://b/m.onnx") has an invalid bucket name "b" (3 to 63 lowercase letters, digits, "." and "-") [ONNXFLEET_INVALID_PROPS]',
        '  ModelService "svc": model.sha256 ("x") must be a sha256 digest of exactly 64 hex digits (1 characters); compute it with `sha256sum model.onnx` [ONNXFLEET_INVALID_PROPS]',
        '  ModelService "svc": resources.gpu (0) would run CPU inference on the GPU nodes of node pool "nope"; set gpu to 1 (up to 8) to use them, or drop nodePool to run on CPU nodes [ONNXFLEET_INVALID_PROPS]',
        "",
      ].join("\n"),
    );
  });

  it("exits 1 on a file that is not YAML, or missing", async () => {
    const broken = await run(["render", "t.yaml"], { "t.yaml": "gpuNodePools: [\n" });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^onnxfleet render: t\.yaml is not valid YAML or JSON: /);
    expect(broken.stderr).toMatch(/\[ONNXFLEET_INVALID_TOPOLOGY_FILE\]\n$/);
    const missing = await run(["render", "no/such/file.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^onnxfleet render: cannot read no\/such\/file\.yaml: ENOENT/);
  });

  it.each([
    [[], 2, /^Usage: onnxfleet <command>/],
    [["render"], 2, /^onnxfleet render: expects exactly one FILE/],
    [["render", "a.yaml", "b.yaml"], 2, /^onnxfleet render: expects exactly one FILE/],
    [["render", "--output", "x"], 2, /^onnxfleet render: unknown option --output/],
    [["deploy"], 2, /^onnxfleet: unknown command "deploy"/],
  ])("exits %#: usage errors %j", async (argv, code, message) => {
    const result = await run(argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it("prints help on --help and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("render FILE");
  });
});

describe("the onnxfleet binary", () => {
  const bin = `${root}bin/onnxfleet.cjs`;
  const spawn = (args: string[], input?: string) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", input });

  it("needs the built dist/ (npm run build)", () => {
    expect(existsSync(`${root}dist/src/cli/main.js`)).toBe(true);
  });

  it("renders a topology file to stdout with exit code 0", () => {
    const result = spawn(["render", gpuPools]);
    expect(result.stderr).not.toContain("ONNXFLEET_");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderTopology(parseTopology(readFileSync(`${root}${gpuPools}`, "utf8"))));
  });

  it("reads standard input for -", () => {
    const result = spawn(["render", "-"], readFileSync(`${root}${gpuPools}`, "utf8"));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("kind: EC2NodeClass\n");
  });

  it("refuses a bad file with the messages on stderr and exit code 1", () => {
    const result = spawn(["render", badPool]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('GpuNodePool "gpu": nodes.min (4) must not exceed nodes.max (2)');
  });
});
