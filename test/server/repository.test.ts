import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { RepositoryError } from "../../server/repository/errors";
import { ModelRepository } from "../../server/repository/repository";
import { ModelSession } from "../../server/runtime/session";
import { buildModel, identityModel } from "../../server/testing/onnx-builder";
import { modelSource, writeRepository } from "./helpers";

const roots: string[] = [];
function repo(layout: Parameters<typeof writeRepository>[0]): string {
  const root = writeRepository(layout);
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const fp32 = identityModel("FP32", [2]);

/** input [1, 2] FP32 times a 2x2 weight stored in an external file at `location`. */
function externalWeightModel(location: string): Uint8Array {
  return buildModel({
    inputs: [{ name: "input", datatype: "FP32", shape: [1, 2] }],
    outputs: [{ name: "output", datatype: "FP32", shape: [1, 2] }],
    nodes: [{ op: "MatMul", inputs: ["input", "weight"], outputs: ["output"] }],
    initializers: [
      { name: "weight", dims: [2, 2], values: new Float32Array([1, 2, 3, 4]), externalLocation: location },
    ],
  });
}

function expectRefused(root: string, message: string | RegExp): void {
  expect(() => new ModelRepository({ root })).toThrow(RepositoryError);
  expect(() => new ModelRepository({ root })).toThrow(message);
}

describe("repository layout and names", () => {
  it("refuses a model name outside [A-Za-z0-9_.-]", () => {
    const root = repo({ "my model": { versions: { 1: fp32 } } });
    expectRefused(root, /model name "my model" is not allowed: use only letters, digits, "_", "." and "-"/);
  });

  it("refuses a version directory that is not a positive integer", () => {
    const root = repo({ m: { versions: { 1: fp32 } } });
    mkdirSync(join(root, "m", "v2"));
    expectRefused(root, /model "m": version directory "v2" is not a positive integer/);
    rmSync(join(root, "m", "v2"), { recursive: true });
    mkdirSync(join(root, "m", "0"));
    expectRefused(root, /version directory "0" is not a positive integer/);
  });

  it("refuses an empty repository, a model without versions, a version without model.onnx", () => {
    const empty = mkdtempSync(join(tmpdir(), "onnxfleet-empty-"));
    roots.push(empty);
    expectRefused(empty, /holds no models/);
    mkdirSync(join(empty, "m"));
    expectRefused(empty, /model "m" has no version directories/);
    mkdirSync(join(empty, "m", "1"));
    expectRefused(empty, /model "m" version 1 has no model.onnx/);
    expectRefused(join(empty, "missing"), /is not a directory/);
  });

  it("refuses a model directory that is a symlink leaving the repository", () => {
    const outside = repo({ elsewhere: { versions: { 1: fp32 } } });
    const root = repo({ ok: { versions: { 1: fp32 } } });
    symlinkSync(join(outside, "elsewhere"), join(root, "escape"));
    expectRefused(root, /model "escape" .* resolves to .*, outside the model repository/);
  });

  it("refuses a model.onnx that is a symlink leaving the repository, and a symlinked version dir too", () => {
    const outside = repo({ elsewhere: { versions: { 1: fp32 } } });
    const root = repo({ ok: { versions: { 1: fp32 } } });
    mkdirSync(join(root, "ok", "2"));
    symlinkSync(join(outside, "elsewhere", "1", "model.onnx"), join(root, "ok", "2", "model.onnx"));
    expectRefused(root, /model "ok" version 2 file .* outside the model repository/);
    rmSync(join(root, "ok", "2"), { recursive: true });
    symlinkSync(join(outside, "elsewhere", "1"), join(root, "ok", "2"));
    expectRefused(root, /model "ok" version 2 .* outside the model repository/);
  });

  it("accepts symlinks that stay inside the repository", async () => {
    const root = repo({ ok: { versions: { 1: fp32 } } });
    symlinkSync(join(root, "ok", "1"), join(root, "ok", "2"));
    const repository = new ModelRepository({ root });
    expect(repository.find("ok")?.version).toBe("2");
    await repository.close();
  });
});

describe("external data", () => {
  it("loads a model whose weights sit beside it and computes with them", async () => {
    const root = repo({ ext: { versions: { 1: externalWeightModel("weights.bin") } } });
    writeFileSync(join(root, "ext", "1", "weights.bin"), new Float32Array([1, 2, 3, 4]));
    const repository = new ModelRepository({ root });
    await repository.load();
    const app = buildApp({ repository });
    const response = await app.inject({
      method: "POST",
      url: "/v2/models/ext/infer",
      payload: { inputs: [{ name: "input", datatype: "FP32", shape: [1, 2], data: [1, 1] }] },
    });
    expect(response.json().outputs[0].data).toEqual([4, 6]);
    await app.close();
    await repository.close();
  });

  it.each([
    ["a parent path", "../../../etc/passwd"],
    ["an absolute path", "/etc/passwd"],
    ["a path that climbs out through a subdirectory", "sub/../../weights.bin"],
  ])("refuses external data at %s", (_what, location) => {
    const root = repo({ ext: { versions: { 1: externalWeightModel(location) } } });
    expectRefused(root, `external data location "${location}" leaves the model's directory`);
  });

  it("refuses external data that is a symlink leaving the version directory", () => {
    const root = repo({ ext: { versions: { 1: externalWeightModel("weights.bin") } } });
    const secret = join(mkdtempSync(join(tmpdir(), "onnxfleet-secret-")), "secret.bin");
    roots.push(join(secret, ".."));
    writeFileSync(secret, new Float32Array([1, 2, 3, 4]));
    symlinkSync(secret, join(root, "ext", "1", "weights.bin"));
    expectRefused(root, 'external data location "weights.bin" leaves the model\'s directory');
  });

  it("refuses a file that is not ONNX", () => {
    const root = repo({ junk: { versions: { 1: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]) } } });
    expectRefused(root, /model.onnx: not a valid ONNX model/);
  });
});

describe("config.json version policy", () => {
  const three = {
    1: identityModel("FP32", [1]),
    2: identityModel("FP32", [2]),
    3: identityModel("FP32", [3]),
  };
  const served = (root: string) =>
    new ModelRepository({ root }).models.get("m")!.versions.map((v) => v.version);

  it("serves only the highest version by default", () => {
    expect(served(repo({ m: { versions: three } }))).toEqual(["3"]);
  });
  it("serves the latest N", () => {
    expect(served(repo({ m: { versions: three, config: { versionPolicy: { latest: 2 } } } }))).toEqual([
      "2",
      "3",
    ]);
    expect(served(repo({ m: { versions: three, config: { versionPolicy: { latest: 9 } } } }))).toEqual([
      "1",
      "2",
      "3",
    ]);
  });
  it("serves specific versions", () => {
    expect(served(repo({ m: { versions: three, config: { versionPolicy: { specific: [3, 1] } } } }))).toEqual(
      ["1", "3"],
    );
  });
  it.each([
    [
      { versionPolicy: { specific: [4] } },
      /versionPolicy.specific lists version\(s\) 4, which are not in the repository \(found: 1, 2, 3\)/,
    ],
    [{ versionPolicy: { latest: 0 } }, /versionPolicy.latest must be a positive integer, got 0/],
    [
      { versionPolicy: { all: true } },
      /versionPolicy must be \{"latest": N\} or \{"specific": \[versions\]\}, got key "all"/,
    ],
    [{ versionPolicy: { latest: 1, specific: [1] } }, /versionPolicy must be/],
    [{ version_policy: { latest: 1 } }, /unknown key "version_policy"; known keys: versionPolicy/],
    [[1], /must hold a JSON object/],
  ])("refuses %j", (config, message) => {
    expectRefused(repo({ m: { versions: three, config } }), message);
  });
  it("refuses config.json that is not JSON", () => {
    const root = repo({ m: { versions: three } });
    writeFileSync(join(root, "m", "config.json"), "{ latest: 2 ");
    expectRefused(root, /config.json: not valid JSON/);
  });
});

describe("loading", () => {
  it("a model onnxruntime cannot load fails load() naming the model and version", async () => {
    const bad = buildModel({
      inputs: [{ name: "x", datatype: "FP32", shape: [1] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [1] }],
      nodes: [{ op: "NoSuchOperator", inputs: ["x"], outputs: ["y"] }],
    });
    const repository = new ModelRepository({ root: repo({ broken: { versions: { 1: bad } } }) });
    await expect(repository.load()).rejects.toThrow(/^model "broken" version 1: cannot load .*model.onnx: /);
    expect(repository.ready).toBe(false);
    expect(repository.find("broken")?.state).toBe("failed");
  });

  it("a config.json warmup that does not fit the model fails load() with the reason", async () => {
    const repository = new ModelRepository({
      root: repo({
        m: {
          versions: { 1: fp32 },
          config: { warmup: { inputs: [{ name: "input", datatype: "INT32", shape: [2], data: [1, 2] }] } },
        },
      }),
    });
    await expect(repository.load()).rejects.toThrow(
      'model "m" version 1: config.json warmup does not fit the model: input "input": datatype INT32 given, the model expects FP32',
    );
  });

  it("refuses a config.json warmup without inputs at scan time", () => {
    expectRefused(
      repo({ m: { versions: { 1: fp32 }, config: { warmup: {} } } }),
      /warmup must be an inference request body/,
    );
  });

  it("the executor factory wraps every version's session (the batcher's seam)", async () => {
    const seen: string[] = [];
    const closed: string[] = [];
    const repository = new ModelRepository({
      root: repo({ a: { versions: { 1: fp32 } }, b: { versions: { 1: fp32 } } }),
      createExecutor: ({ modelName, version, session }) => ({
        infer: (inputs, outputs) => {
          seen.push(`${modelName}/${version}`);
          return session.infer(inputs, outputs);
        },
        close: async () => {
          closed.push(`${modelName}/${version}`);
        },
      }),
    });
    await repository.load();
    const app = buildApp({ repository });
    const response = await app.inject({
      method: "POST",
      url: "/v2/models/b/infer",
      payload: { inputs: [{ name: "input", datatype: "FP32", shape: [2], data: [1, 2] }] },
    });
    expect(response.json().outputs[0].data).toEqual([1, 2]);
    expect(seen).toEqual(["b/1"]);
    await app.close();
    await repository.close();
    expect(closed).toEqual(["a/1", "b/1"]);
  });

  it("--execution-provider cuda without the CUDA binaries fails with a message naming the flag", async () => {
    const root = repo({ m: { versions: { 1: fp32 } } });
    await expect(
      ModelSession.load(modelSource(join(root, "m", "1", "model.onnx")), { executionProvider: "cuda" }),
    ).rejects.toThrow(
      /with --execution-provider cuda: .*ONNXRUNTIME_NODE_INSTALL=cuda12.*use --execution-provider cpu/,
    );
  });
});
