/**
 * Issue #17 item 2, over real sockets with real onnxruntime: a request whose cost grows with a dynamic
 * dimension never runs on the event loop's thread (probes stay answered while it computes), and a run past
 * `--inference-timeout-ms` is answered 504, counted as a server error, and its instance is replaced.
 */
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { buildModel } from "../../server/testing/onnx-builder";
import { binaryRequest, rangeModel, writeRepository } from "./helpers";

/**
 * y = x·x for one square x of any size (shape [1, n, n], like an image of any size): the cost grows as n³
 * while the warm-up (n = 1) is instant.
 */
const SQUARE = buildModel({
  inputs: [{ name: "x", datatype: "FP32", shape: [1, "n", "n"] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [1, "n", "n"] }],
  nodes: [{ op: "MatMul", inputs: ["x", "x"], outputs: ["y"] }],
});

/**
 * y = x·x·…·x (eight MatMuls in a chain): eight times SQUARE's cost at the same request size, so a large
 * run takes long enough to measure against probes and deadlines even on a fast, idle core (one n = 1600
 * MatMul alone can finish in about 100 ms there).
 */
const CHAIN_LENGTH = 8;
const SLOW_SQUARE = buildModel({
  inputs: [{ name: "x", datatype: "FP32", shape: [1, "n", "n"] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [1, "n", "n"] }],
  nodes: Array.from({ length: CHAIN_LENGTH }, (_, i) => ({
    op: "MatMul",
    inputs: [i === 0 ? "x" : `p${i}`, "x"],
    outputs: [i === CHAIN_LENGTH - 1 ? "y" : `p${i + 1}`],
  })),
});

const running: { server: RunningServer; root: string }[] = [];
afterEach(async () => {
  for (const { server, root } of running.splice(0)) {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

async function serve(flags: string[], model = SQUARE): Promise<RunningServer> {
  const root = writeRepository({ square: { versions: { 1: model } } });
  const server = await start(
    [
      ...["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1"],
      ...["--log-level", "silent", "--intra-op-threads", "1", ...flags],
    ],
    {},
  );
  running.push({ server, root });
  return server;
}

/** POSTs an n×n matrix of ones (binary tensor extension, binary output). */
function postSquare(server: RunningServer, n: number): Promise<Response> {
  const { headers, payload } = binaryRequest(
    {
      inputs: [
        { name: "x", datatype: "FP32", shape: [1, n, n], parameters: { binary_data_size: n * n * 4 } },
      ],
      parameters: { binary_data_output: true },
    },
    [Buffer.from(new Float32Array(n * n).fill(1).buffer)],
  );
  return fetch(`${server.url}/v2/models/square/infer`, { method: "POST", headers, body: payload });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a model whose cost grows with its dynamic dimensions, at default settings", () => {
  it("runs off the event loop: liveness probes are answered promptly while a large request computes", async () => {
    const server = await serve([], SLOW_SQUARE);
    const started = performance.now();
    let done = false;
    const big = postSquare(server, 1200).then((response) => {
      done = true;
      return response;
    });
    const probeMs: number[] = [];
    while (!done) {
      const sent = performance.now();
      const probe = await fetch(`${server.url}/v2/health/live`);
      expect(probe.status).toBe(200);
      if (!done) probeMs.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const response = await big;
    expect(response.status, await response.clone().text()).toBe(200);
    const computeMs = performance.now() - started;
    // The run took a while (so probes had to be answered during it) and none waited for it.
    expect(computeMs).toBeGreaterThan(150);
    expect(probeMs.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...probeMs)).toBeLessThan(Math.max(100, computeMs / 3));
  });
});

describe("--inference-timeout-ms", () => {
  it("answers a run past the deadline 504 JSON, counts it as a server error, and replaces the instance", async () => {
    const server = await serve(["--inference-timeout-ms", "150"], SLOW_SQUARE);
    const started = performance.now();
    const response = await postSquare(server, 1600);
    const elapsedMs = performance.now() - started;
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: string };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error).toMatch(
      /model "square" version 1: the inference ran longer than 150 ms \(--inference-timeout-ms\)/,
    );
    // Answered at the deadline, not when the run would have ended (seconds on one thread).
    expect(elapsedMs).toBeLessThan(1500);

    // The terminated worker is replaced (the model reads unready meanwhile), then serves again.
    await waitFor(async () => (await fetch(`${server.url}/v2/models/square/ready`)).status === 200);
    const small = await postSquare(server, 4);
    expect(small.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /onnxfleet_requests_total\{[^}]*model="square"[^}]*outcome="server_error"[^}]*\} 1/,
    );
    expect(metrics).toMatch(/onnxfleet_requests_total\{[^}]*model="square"[^}]*outcome="success"[^}]*\} 1/);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  });
});

describe("a model without inputs (an ONNX Constant)", () => {
  it("answers an inference whose inputs array is empty", async () => {
    const constant = buildModel({
      inputs: [],
      outputs: [{ name: "seven", datatype: "INT64", shape: [] }],
      nodes: [{ op: "Constant", inputs: [], outputs: ["seven"], intAttributes: { value_int: 7 } }],
    });
    const root = writeRepository({ constant: { versions: { 1: constant } } });
    const server = await start(
      ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
      {},
    );
    running.push({ server, root });
    const response = await fetch(`${server.url}/v2/models/constant/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { outputs: unknown[] };
    expect(body.outputs).toEqual([{ name: "seven", datatype: "INT64", shape: [], data: [7] }]);
  });
});

describe("--max-response-bytes", () => {
  const RANGE = rangeModel();
  const range = (limit: number) => [
    { name: "start", datatype: "FP32", shape: [], data: [0] },
    { name: "limit", datatype: "FP32", shape: [], data: [limit] },
    { name: "delta", datatype: "FP32", shape: [], data: [1] },
  ];

  it.each(["worker", "main"])(
    "refuses with 400 JSON, before encoding, an answer over the limit (%s instances), and keeps serving",
    async (thread) => {
      const root = writeRepository({ range: { versions: { 1: RANGE } } });
      const server = await start(
        [
          ...["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
          ...["--instance-thread", thread, "--max-response-bytes", "1048576"],
        ],
        {},
      );
      running.push({ server, root });
      const post = (limit: number) =>
        fetch(`${server.url}/v2/models/range/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ inputs: range(limit) }),
        });
      const refused = await post(1_000_000);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe(
        'model "range" version 1: the outputs of this request hold 4000000 bytes, more than the 1048576 ' +
          "bytes a response may carry (--max-response-bytes); ask for fewer or smaller outputs",
      );
      const served = await post(5);
      expect(served.status).toBe(200);
      expect(((await served.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data).toEqual([
        0, 1, 2, 3, 4,
      ]);
    },
  );
});
