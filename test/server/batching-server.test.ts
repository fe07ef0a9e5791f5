/** Dynamic batching with real onnxruntime models: through HTTP, on worker and main-thread instances. */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DynamicBatcher } from "../../server/batching";
import { batchingExecutorFactory, type ServerBatchingSettings } from "../../server/batching/executor-factory";
import { spinsOn } from "../../server/batching/model-settings";
import { type RunningServer, start } from "../../server/main";
import { ModelLoadError, ModelSession, ortSessionOptions } from "../../server/runtime/session";
import { WorkerSession } from "../../server/runtime/worker-session";
import {
  type BytesData,
  bytesFromStrings,
  DATATYPES,
  type Datatype,
  stringsOfBytes,
  type Tensor,
  TYPED_ARRAY_OF,
} from "../../server/tensor";
import {
  buildModel,
  deterministicValues,
  identityModel,
  mlp,
  multiIoModel,
} from "../../server/testing/onnx-builder";
import { WORKER_TEST_SETTINGS } from "./batching-helpers";
import { modelSource, startTestServer, type TestServer, writeRepository } from "./helpers";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(
  layout: Parameters<typeof startTestServer>[0],
  settings: Partial<ServerBatchingSettings> = {},
  logged: string[] = [],
): Promise<TestServer> {
  const server = await startTestServer(layout, {
    createExecutor: batchingExecutorFactory(
      { ...WORKER_TEST_SETTINGS, ...settings },
      {
        info: (_fields: unknown, message?: string) => logged.push(message ?? ""),
        warn: (_fields: unknown, message?: string) => logged.push(message ?? ""),
      },
    ),
  });
  servers.push(server);
  return server;
}

function inferJson(server: TestServer, model: string, inputs: unknown[]) {
  return server.app.inject({
    method: "POST",
    url: `/v2/models/${model}/infer`,
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ inputs }),
  });
}

describe.each(["worker", "main"] as const)(
  "an MLP batched on %s-thread instances, over HTTP",
  (instanceThread) => {
    it("gives each of many concurrent requests (1 to 3 rows) exactly the rows it would get alone", async () => {
      // GIVEN an MLP served with batching, and a reference session running each request alone
      const bytes = mlp([8, 16, 4], { seed: 3 });
      const server = await serve({ mlp: { versions: { 1: bytes } } }, { instanceThread });
      const reference = await ModelSession.load(modelSource(join(server.root, "mlp", "1", "model.onnx")), {
        intraOpThreads: 1,
      });
      const requests = Array.from({ length: 24 }, (_, i) => {
        const rows = 1 + (i % 3);
        return { rows, data: Array.from(deterministicValues(rows * 8, 100 + i, 2)) };
      });
      // WHEN they arrive at once
      const responses = await Promise.all(
        requests.map(({ rows, data }) =>
          inferJson(server, "mlp", [{ name: "input", datatype: "FP32", shape: [rows, 8], data }]),
        ),
      );
      // THEN each gets its own rows, equal to running it alone
      for (const [i, response] of responses.entries()) {
        expect(response.statusCode).toBe(200);
        const output = response.json().outputs[0];
        const { rows, data } = requests[i]!;
        expect(output.shape).toEqual([rows, 4]);
        const [alone] = await reference.infer(
          [{ name: "input", datatype: "FP32", shape: [rows, 8], data: Float32Array.from(data) }],
          ["output"],
        );
        const expected = Array.from(alone!.data as Float32Array);
        output.data.forEach((value: number, j: number) => {
          expect(value).toBeCloseTo(expected[j]!, 4);
        });
      }
      // AND requests were joined: fewer runs than requests
      const batcher = server.repository.find("mlp")!.executor as DynamicBatcher;
      expect(batcher.stats.requests).toBe(24);
      expect(batcher.stats.rows).toBe(requests.reduce((sum, r) => sum + r.rows, 0));
      expect(batcher.stats.batches).toBeLessThan(24);
      await reference.release();
    });
  },
);

describe("every datatype through a batched identity model on a worker thread", () => {
  it.each(DATATYPES)(
    "%s: joined requests of 1, 2 and 1 rows each get their own values back",
    async (datatype) => {
      const server = await serve({ id: { versions: { 1: identityModel(datatype, ["batch", 3]) } } });
      const batcher = server.repository.find("id")!.executor as DynamicBatcher;
      const sent = [tensorOf(datatype, 1, 0), tensorOf(datatype, 2, 10), tensorOf(datatype, 1, 20)];
      const results = await Promise.all(sent.map((tensor) => batcher.infer([tensor], ["output"])));
      results.forEach(([output], i) => {
        expect(output!.datatype).toBe(datatype);
        expect(output!.shape).toEqual(sent[i]!.shape);
        expect(valuesOf(output!)).toEqual(valuesOf(sent[i]!));
      });
      expect(batcher.stats.batches).toBeLessThan(3);
    },
  );

  it("never mixes requests whose non-batch dims differ, and answers each correctly", async () => {
    const server = await serve({ id: { versions: { 1: identityModel("FP32", ["batch", "width"]) } } });
    const batcher = server.repository.find("id")!.executor as DynamicBatcher;
    const widths = [2, 3, 2, 3, 2];
    const sent = widths.map(
      (width, i): Tensor => ({
        name: "input",
        datatype: "FP32",
        shape: [1, width],
        data: Float32Array.from({ length: width }, (_, j) => i * 10 + j),
      }),
    );
    const results = await Promise.all(sent.map((tensor) => batcher.infer([tensor], ["output"])));
    results.forEach(([output], i) => {
      expect(output!.shape).toEqual(sent[i]!.shape);
      expect(Array.from(output!.data as Float32Array)).toEqual(Array.from(sent[i]!.data as Float32Array));
    });
  });
});

describe("models that cannot be batched", () => {
  it("run one request per run, said once in the log at load", async () => {
    const logged: string[] = [];
    const server = await serve({ multi: { versions: { 1: multiIoModel() } } }, {}, logged);
    expect(logged).toEqual([
      'model "multi" version 1 runs unbatched: input "flag" has shape [2], whose first dimension is not dynamic',
    ]);
    const input = (name: string, value: number) => ({
      name,
      datatype: "FP32",
      shape: [1, 2],
      data: [value, value],
    });
    const responses = await Promise.all(
      [1, 2, 3].map((v) =>
        inferJson(server, "multi", [
          input("a", v),
          input("b", 1),
          { name: "flag", datatype: "BOOL", shape: [2], data: [true, false] },
        ]),
      ),
    );
    responses.forEach((response, i) => {
      expect(response.statusCode).toBe(200);
      expect(response.json().outputs[0].data).toEqual([i + 2, i + 2]);
    });
    const batcher = server.repository.find("multi")!.executor as DynamicBatcher;
    expect(batcher.stats).toMatchObject({ batches: 3, requests: 3 });
  });
});

describe("instanceThread auto", () => {
  it("puts a model whose run at maxBatchSize rows is far under 1 ms on the main thread, and logs why", async () => {
    const logged: string[] = [];
    const server = await serve(
      { small: { versions: { 1: mlp([4, 8, 2]) } } },
      { instanceThread: "auto", maxBatchSize: 8 },
      logged,
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /^model "small" version 1: instances on the main thread \(a run at 8 rows takes \d+\.\d\d ms\)$/,
    );
    const response = await inferJson(server, "small", [
      { name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] },
    ]);
    expect(response.statusCode).toBe(200);
  });
});

describe("instanceThread auto keeps runs whose size no shape bounds off the event loop (#17 item 2)", () => {
  const square = buildModel({
    inputs: [{ name: "x", datatype: "FP32", shape: ["n", "n"] }],
    outputs: [{ name: "y", datatype: "FP32", shape: ["n", "n"] }],
    nodes: [{ op: "MatMul", inputs: ["x", "x"], outputs: ["y"] }],
  });
  it.each([
    [
      "a dynamic dimension past the first",
      { square: { versions: { 1: square } } },
      {},
      /"x" has a dynamic dimension \(axis 1\)/,
    ],
    [
      "batching off (the first dimension is then unbounded)",
      { small: { versions: { 1: mlp([4, 8, 2]) } } },
      { maxBatchSize: 1 },
      /"input" has a dynamic dimension \(the first, unbounded with batching off\)/,
    ],
    [
      "a BYTES tensor",
      { text: { versions: { 1: identityModel("BYTES", [2]) } } },
      {},
      /"input" is BYTES, whose cost no shape bounds/,
    ],
  ])("GIVEN %s THEN worker threads", async (_label, layout, settings, reason) => {
    const logged: string[] = [];
    await serve(layout, { instanceThread: "auto", maxBatchSize: 8, ...settings }, logged);
    const choice = logged.find((line) => line.includes("instances on"));
    expect(choice).toContain("instances on worker threads");
    expect(choice).toMatch(reason);
  });
});

describe("intraOpSpinning", () => {
  it("auto spins on worker threads only; on and off apply to both", () => {
    expect(spinsOn("auto", "worker")).toBe(true);
    expect(spinsOn("auto", "main")).toBe(false);
    expect(spinsOn("on", "main")).toBe(true);
    expect(spinsOn("off", "worker")).toBe(false);
  });

  it("reaches onnxruntime as its allow_spinning session setting", () => {
    const external = { model_external_initializers_file_folder_path: "/m/1" };
    expect(ortSessionOptions({ allowSpinning: true }, "/m/1/model.onnx").extra).toEqual({
      session: { intra_op: { allow_spinning: "1" }, ...external },
    });
    expect(ortSessionOptions({}, "/m/1/model.onnx").extra).toEqual({
      session: { intra_op: { allow_spinning: "0" }, ...external },
    });
  });

  it.each([
    ["main", "on"],
    ["worker", "off"],
    ["main", "auto"],
  ] as const)(
    "serves correct results with %s-thread instances and config.json intraOpSpinning %s",
    async (instanceThread, intraOpSpinning) => {
      const server = await serve(
        { m: { versions: { 1: identityModel("FP32", [null, 2]) }, config: { intraOpSpinning } } },
        { instanceThread },
      );
      const response = await inferJson(server, "m", [
        { name: "input", datatype: "FP32", shape: [1, 2], data: [1.5, -2] },
      ]);
      expect(response.json()).toMatchObject({ outputs: [{ data: [1.5, -2] }] });
    },
  );

  it("refuses an unknown intraOpSpinning in config.json at start", async () => {
    await expect(
      serve({ m: { versions: { 1: mlp([2, 2]) }, config: { intraOpSpinning: "yes" } } }),
    ).rejects.toThrow(/config\.json: intraOpSpinning must be one of "auto", "on", "off", got "yes"/);
  });
});

describe("limits over HTTP", () => {
  it("refuses a request with more rows than config.json's batching.maxBatchSize with 400", async () => {
    const server = await serve({
      mlp: { versions: { 1: mlp([4, 2]) }, config: { batching: { maxBatchSize: 2 } } },
    });
    const response = await inferJson(server, "mlp", [
      { name: "input", datatype: "FP32", shape: [3, 4], data: new Array(12).fill(1) },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe(
      'model "mlp" version 1: the request has 3 rows but this model version runs at most 2 rows at once ' +
        "(maxBatchSize); split the request or raise batching.maxBatchSize in its config.json",
    );
  });

  it("answers 503 with a clear error beyond config.json's batching.maxQueueSize, and serves the rest", async () => {
    const server = await serve({
      big: { versions: { 1: mlp([256, 1024, 1024, 8]) }, config: { batching: { maxQueueSize: 1 } } },
    });
    const data = new Array(256).fill(0.5);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        inferJson(server, "big", [{ name: "input", datatype: "FP32", shape: [1, 256], data }]),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    const refused = responses.filter((response) => response.statusCode === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.json().error).toMatch(
      /^model "big" version 1: the queue is full \(1 requests waiting, maxQueueSize\); retry later/,
    );
  });

  it("refuses an unknown batching key in config.json at start, naming the file and the key", async () => {
    await expect(
      serve({ m: { versions: { 1: mlp([2, 2]) }, config: { batching: { maxDelay: 1 } } } }),
    ).rejects.toThrow(
      /config\.json: batching\.maxDelay is not a batching setting \(known: maxBatchSize, maxQueueDelayMicroseconds/,
    );
    await expect(
      serve({ m: { versions: { 1: mlp([2, 2]) }, config: { instanceThread: "gpu" } } }),
    ).rejects.toThrow(/config\.json: instanceThread must be one of "auto", "worker", "main", got "gpu"/);
  });
});

describe("onnxfleet-server flags", () => {
  let server: RunningServer;
  let root: string;
  beforeAll(async () => {
    root = writeRepository({ mlp: { versions: { 1: mlp([3, 2]) } } });
    server = await start(
      [
        ...["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
        ...["--max-batch-size", "2", "--instances", "2", "--instance-thread", "main"],
      ],
      {},
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("reach each model's batcher: --max-batch-size 2 refuses 3 rows, allows 2", async () => {
    const post = (rows: number) =>
      fetch(`${server.url}/v2/models/mlp/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [{ name: "input", datatype: "FP32", shape: [rows, 3], data: new Array(rows * 3).fill(1) }],
        }),
      });
    expect((await post(3)).status).toBe(400);
    expect((await post(2)).status).toBe(200);
    expect(server.repository.find("mlp")!.executor).toBeInstanceOf(DynamicBatcher);
  });
});

describe("WorkerSession", () => {
  it("reports a model that cannot load, naming the file", async () => {
    const root = writeRepository({ m: { versions: { 1: mlp([2, 2]) } } });
    const path = join(root, "m", "1", "model.onnx");
    writeFileSync(path, "not an onnx file");
    await expect(WorkerSession.load(modelSource(path))).rejects.toBeInstanceOf(ModelLoadError);
    await expect(WorkerSession.load(modelSource(path))).rejects.toThrow(
      /cannot load .*model\.onnx on a worker thread/,
    );
    rmSync(root, { recursive: true, force: true });
  });

  it("passes onnxruntime's error for a bad run back, and keeps serving", async () => {
    const root = writeRepository({ m: { versions: { 1: mlp([2, 2]) } } });
    const session = await WorkerSession.load(modelSource(join(root, "m", "1", "model.onnx")));
    const bad: Tensor = { name: "input", datatype: "FP32", shape: [1, 3], data: new Float32Array(3) };
    await expect(session.infer([bad], ["output"])).rejects.toThrow(/input/i);
    const good: Tensor = { name: "input", datatype: "FP32", shape: [1, 2], data: Float32Array.of(1, 2) };
    const [output] = await session.infer([good], ["output"]);
    expect(output!.shape).toEqual([1, 2]);
    await session.release();
    await expect(session.infer([good], ["output"])).rejects.toThrow(/worker thread exited/);
    rmSync(root, { recursive: true, force: true });
  });

  it("takes lent inputs without copying, and copies everything else (views, unlent arrays)", async () => {
    const root = writeRepository({ m: { versions: { 1: mlp([2, 2]) } } });
    const session = await WorkerSession.load(modelSource(join(root, "m", "1", "model.onnx")));
    const tensor = (data: Float32Array): Tensor => ({ name: "input", datatype: "FP32", shape: [1, 2], data });
    const [reference] = await session.infer([tensor(Float32Array.of(1, 2))], ["output"]);

    const unlent = Float32Array.of(1, 2);
    await session.infer([tensor(unlent)], ["output"]);
    expect(Array.from(unlent)).toEqual([1, 2]);

    // A view on a larger buffer (a request body, a pooled Buffer) stays usable even when lent.
    const backing = new Float32Array([9, 1, 2, 9]);
    const [fromView] = await session.infer([tensor(backing.subarray(1, 3))], ["output"], {
      inputsDisposable: true,
    });
    expect(Array.from(backing)).toEqual([9, 1, 2, 9]);
    expect(Array.from(fromView!.data as Float32Array)).toEqual(Array.from(reference!.data as Float32Array));

    const lent = Float32Array.of(1, 2);
    const [fromLent] = await session.infer([tensor(lent)], ["output"], { inputsDisposable: true });
    expect(lent.buffer.byteLength).toBe(0); // transferred to the worker: detached here
    expect(Array.from(fromLent!.data as Float32Array)).toEqual(Array.from(reference!.data as Float32Array));
    await session.release();
    rmSync(root, { recursive: true, force: true });
  });
});

/** A [rows, 3] tensor of `datatype` whose values start at `start`. */
function tensorOf(datatype: Datatype, rows: number, start: number): Tensor {
  const values = Array.from({ length: rows * 3 }, (_, i) => start + i);
  const shape = [rows, 3];
  if (datatype === "BYTES") {
    return { name: "input", datatype, shape, data: bytesFromStrings(values.map((v) => `text ${v}`)) };
  }
  const ArrayType = TYPED_ARRAY_OF[datatype];
  const data =
    datatype === "INT64" || datatype === "UINT64"
      ? (ArrayType as BigInt64ArrayConstructor).from(values.map(BigInt))
      : datatype === "BOOL"
        ? Uint8Array.from(values.map((v) => v % 2))
        : datatype === "FP16"
          ? Uint16Array.from(values.map((v) => 0x3c00 + v)) // distinct half-precision bit patterns
          : (ArrayType as Float64ArrayConstructor).from(values);
  return { name: "input", datatype, shape, data } as Tensor;
}

function valuesOf(tensor: Tensor): unknown[] {
  if (tensor.datatype === "BYTES") return stringsOfBytes(tensor.data as BytesData);
  return Array.from(tensor.data as ArrayLike<unknown>);
}
