/**
 * The hardening as `onnxfleet-server` wires it (in-process `start()` with real flags and a real socket):
 * logs, auth, the metrics port, request ids and the drain.
 */
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { createLogger } from "../../server/logger";
import { type RunningServer, start } from "../../server/main";
import { ProtocolError } from "../../server/protocol/errors";
import { ModelRepository } from "../../server/repository/repository";
import { identityModel, mlp } from "../../server/testing/onnx-builder";

const TOKEN = "harden-test-token-0123456789";
let root: string;
const running: RunningServer[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "onnxfleet-harden-"));
  mkdirSync(join(root, "mlp", "1"), { recursive: true });
  writeFileSync(join(root, "mlp", "1", "model.onnx"), mlp([4, 8, 3]));
});
afterAll(async () => {
  for (const server of running) await server.close().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

/** Collects pino's JSON lines. */
function logSink() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

async function startServer(flags: string[] = [], env: NodeJS.ProcessEnv = {}, sink = logSink()) {
  const server = await start(
    ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", ...flags],
    env,
    { logDestination: sink.destination },
  );
  running.push(server);
  return server;
}

const DISTINCTIVE = [31337.25, -27182.5, 16180.75, 14142.125];
const inferBody = (data: unknown[] = DISTINCTIVE) =>
  JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data }] });

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

describe("logs", () => {
  it("logs start-up, each model load with its timing, and requests with ids, but never tensor data", async () => {
    // GIVEN a server whose log lines are captured
    const sink = logSink();
    const server = await startServer(["--log-level", "info", "--access-log-sample-rate", "1"], {}, sink);

    // WHEN it serves a good request, one with a bad value and one with broken JSON, all with distinctive values
    const good = await post(`${server.url}/v2/models/mlp/infer`, inferBody());
    const outputs = (await good.json()) as { outputs: { data: number[] }[] };
    const bad = await post(`${server.url}/v2/models/mlp/infer`, inferBody([31337.25, "SECRET-7f3a9", 1, 2]));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("SECRET-7f3a9");
    const broken = await post(
      `${server.url}/v2/models/mlp/infer`,
      '{"inputs":[{"data":[27182.5,"SECRET-b1c2"',
    );
    expect(broken.status).toBe(400);
    await server.close();

    // THEN every line is JSON, the expected events are there, and no tensor value appears anywhere
    const records = sink.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((r) => r.msg === "starting onnxfleet-server")).toBeDefined();
    const loaded = records.find((r) => r.msg === "model loaded and warmed up");
    expect(loaded).toMatchObject({ model: "mlp", version: "1", durationSeconds: expect.any(Number) });
    const completed = records.filter((r) => r.msg === "request");
    expect(completed.length).toBe(3);
    for (const record of completed) expect(record.reqId).toEqual(expect.any(String));
    const text = sink.lines.join("");
    for (const value of [...DISTINCTIVE.map(String), "SECRET-7f3a9", "SECRET-b1c2"]) {
      expect(text).not.toContain(value);
    }
    expect(text).not.toContain(String(outputs.outputs[0]!.data[0]));
  });

  it("logs a server error with its request id and a message, and answers without internals", async () => {
    // GIVEN an app whose executor fails with a server-side error
    const sink = logSink();
    const repoRoot = mkdtempSync(join(tmpdir(), "onnxfleet-harden-err-"));
    mkdirSync(join(repoRoot, "m", "1"), { recursive: true });
    writeFileSync(join(repoRoot, "m", "1", "model.onnx"), identityModel("FP32", ["batch", 2]));
    const repository = new ModelRepository({
      root: repoRoot,
      createExecutor: () => ({
        infer: async () => {
          throw new ProtocolError(500, "the batch failed");
        },
      }),
    });
    await repository.load();
    const app = buildApp({ repository, logger: createLogger("info", sink.destination) });

    // WHEN a request with a chosen id hits it
    const response = await app.inject({
      method: "POST",
      url: "/v2/models/m/infer",
      headers: { "content-type": "application/json", "x-request-id": "trace-4242" },
      payload: { inputs: [{ name: "input", datatype: "FP32", shape: [1, 2], data: [8675.5, 309.25] }] },
    });
    await app.close();
    await repository.close();
    rmSync(repoRoot, { recursive: true, force: true });

    // THEN the client sees the message only, the log has the error under the same request id
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: "the batch failed" });
    expect(response.headers["x-request-id"]).toBe("trace-4242");
    const failure = sink.lines.map((line) => JSON.parse(line)).find((r) => r.msg === "request failed");
    expect(failure).toMatchObject({ level: 50, reqId: "trace-4242", err: { message: "the batch failed" } });
    expect(sink.lines.join("")).not.toContain("8675.5");
  });
});

describe("request ids", () => {
  it("keeps a sane X-Request-Id and replaces anything else with a UUID", async () => {
    const server = await startServer();
    const kept = await fetch(`${server.url}/v2`, { headers: { "x-request-id": "lb-abc.123:9" } });
    expect(kept.headers.get("x-request-id")).toBe("lb-abc.123:9");
    const replaced = await fetch(`${server.url}/v2`, {
      headers: { "x-request-id": `bad id ${"x".repeat(200)}` },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await server.close();
  });
});

describe("auth", () => {
  it("with ONNXFLEET_AUTH_TOKEN, needs the token everywhere but the health probes", async () => {
    const server = await startServer([], { ONNXFLEET_AUTH_TOKEN: TOKEN });
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    const refused = await post(`${server.url}/v2/models/mlp/infer`, inferBody());
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/bearer token/) });
    expect((await fetch(`${server.url}/v2/models/mlp`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const allowed = await post(`${server.url}/v2/models/mlp/infer`, inferBody(), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(allowed.status).toBe(200);

    // An unauthenticated client announcing a huge body is refused before a byte of it is read.
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.write(
      "POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${2 ** 30}\r\n\r\n`,
    );
    const [head] = (await once(socket, "data")) as [Buffer];
    expect(head.toString()).toMatch(/^HTTP\/1\.1 401 /);
    expect(head.toString().toLowerCase()).toContain("connection: close");
    socket.destroy();
    await server.close();
  });

  it("reads the token from --auth-token-file and refuses to start on a short one", async () => {
    const file = join(root, "token");
    writeFileSync(file, `${TOKEN}\n`);
    const server = await startServer(["--auth-token-file", file]);
    expect((await post(`${server.url}/v2/models/mlp/infer`, inferBody())).status).toBe(401);
    await server.close();
    writeFileSync(file, "short\n");
    await expect(startServer(["--auth-token-file", file])).rejects.toThrow(/at least 16 characters/);
  });
});

describe("metrics", () => {
  it("serves /metrics on the HTTP port by default", async () => {
    const server = await startServer();
    expect(server.metricsUrl).toBeUndefined();
    await post(`${server.url}/v2/models/mlp/infer`, inferBody());
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('onnxfleet_requests_total{model="mlp",version="1",outcome="success"} 1');
    expect(text).toContain('onnxfleet_model_load_duration_seconds_count{model="mlp",version="1"} 1');
    await server.close();
  });

  it("counts the batcher's work: every request's queue time, and rows per batch summing to the rows sent", async () => {
    // GIVEN a model slow enough (a few ms a row) that requests sent together queue behind the one instance
    const wideRoot = mkdtempSync(join(tmpdir(), "onnxfleet-batch-metrics-"));
    mkdirSync(join(wideRoot, "mlp", "1"), { recursive: true });
    writeFileSync(join(wideRoot, "mlp", "1", "model.onnx"), mlp([4, 2048, 2048, 3]));
    const server = await startServer(["--model-repository", wideRoot, "--instances", "1"]);
    // WHEN 24 one-row requests arrive at once
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => post(`${server.url}/v2/models/mlp/infer`, inferBody())),
    );
    rmSync(wideRoot, { recursive: true, force: true });
    expect(answers.map((answer) => answer.status)).toEqual(Array(24).fill(200));
    // THEN the batch, queue and compute metrics account for every row and request
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (series: string) => Number(text.match(new RegExp(`^${series} (\\S+)$`, "m"))?.[1]);
    const labels = '{model="mlp",version="1"}';
    expect(value(`onnxfleet_batch_size_rows_sum${labels}`)).toBe(24);
    const batches = value(`onnxfleet_batch_size_rows_count${labels}`);
    expect(batches).toBeGreaterThanOrEqual(2);
    // Fewer batches than requests: at least one batch joined requests that queued behind the first run (with
    // --max-batch-size 1 this is 24 and the test fails).
    expect(batches).toBeLessThan(24);
    expect(value(`onnxfleet_queue_duration_seconds_count${labels}`)).toBe(24);
    expect(value(`onnxfleet_compute_duration_seconds_count${labels}`)).toBe(batches);
    expect(value(`onnxfleet_queue_depth_requests${labels}`)).toBe(0);
    await server.close();
  });

  it("with --metrics-port, serves them only there", async () => {
    const server = await startServer(["--metrics-port", "0"]);
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await post(`${server.url}/v2/models/mlp/infer`, inferBody());
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    expect(text).toContain('onnxfleet_requests_total{model="mlp",version="1",outcome="success"} 1');
    expect(text).toContain("onnxfleet_inflight_requests 0");
    await server.close();
  });
});

describe("drain", () => {
  it("turns unready at once, keeps serving during the delay, then closes and resolves exit code 0", async () => {
    const server = await startServer(["--drain-delay-seconds", "1", "--shutdown-timeout-seconds", "10"]);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);

    const exitCode = server.drain.shutdown("test");
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false });
    const during = await post(`${server.url}/v2/models/mlp/infer`, inferBody());
    expect(during.status).toBe(200);
    expect(during.headers.get("connection")).toBe("close");

    expect(await exitCode).toBe(0);
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
  });
});
