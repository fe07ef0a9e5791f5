/**
 * Access logs at default settings cost no log line per request (issue 17, "no cost when there is nothing
 * to batch"; issue 20, "access logs that do not cost throughput"): a sampled share of requests is logged,
 * every refused or failed request is, and 503 refusals are logged once per burst. Real server, real
 * sockets, real onnxruntime.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessLog } from "../../server/access-log";
import { createLogger } from "../../server/logger";
import { type RunningServer, start } from "../../server/main";
import { mlp } from "../../server/testing/onnx-builder";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "onnxfleet-access-log-"));
  mkdirSync(join(root, "small", "1"), { recursive: true });
  writeFileSync(join(root, "small", "1", "model.onnx"), mlp([4, 8, 3]));
  // Slow enough per run (a few ms) that a burst of concurrent requests overflows a one-request queue.
  mkdirSync(join(root, "slow", "1"), { recursive: true });
  writeFileSync(join(root, "slow", "1", "model.onnx"), mlp([512, 4096, 4096, 10]));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function logSink() {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(line) },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function serve(flags: string[], sink: ReturnType<typeof logSink>): Promise<RunningServer> {
  return start(
    ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", ...flags],
    {},
    {
      logDestination: sink.destination,
    },
  );
}

const smallBody = JSON.stringify({
  inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }],
});
const post = (url: string, body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("access logs", () => {
  it("at default settings, 200 successful requests write 2 access lines (1 %), none of fastify's per-request lines", async () => {
    // GIVEN a server at its default log settings (info level, default sample rate)
    const sink = logSink();
    const server = await serve([], sink);
    try {
      // WHEN 200 requests succeed, one after another
      for (let i = 0; i < 200; i++) {
        const response = await post(`${server.url}/v2/models/small/infer`, smallBody);
        expect(response.status).toBe(200);
      }
    } finally {
      await server.close();
    }
    // THEN exactly one in a hundred has an access line, with its request id and status, and fastify's
    // "incoming request" / "request completed" pair is gone
    const records = sink.records();
    const access = records.filter((r) => r.msg === "request");
    expect(access).toHaveLength(2);
    for (const line of access) {
      expect(line).toMatchObject({
        level: 30,
        method: "POST",
        url: "/v2/models/small/infer",
        statusCode: 200,
      });
      expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(records.filter((r) => r.msg === "incoming request" || r.msg === "request completed")).toEqual([]);
  });

  it("logs every refused request whatever the sample rate; --access-log-sample-rate 1 logs every request", async () => {
    // GIVEN one server that samples nothing and one that logs everything
    const none = logSink();
    const all = logSink();
    const quiet = await serve(["--access-log-sample-rate", "0"], none);
    const verbose = await serve(["--access-log-sample-rate", "1"], all);
    try {
      for (const server of [quiet, verbose]) {
        // WHEN each serves 5 good requests, 3 malformed ones and 1 for a model it does not serve
        for (let i = 0; i < 5; i++)
          expect((await post(`${server.url}/v2/models/small/infer`, smallBody)).status).toBe(200);
        for (let i = 0; i < 3; i++)
          expect((await post(`${server.url}/v2/models/small/infer`, "{")).status).toBe(400);
        expect((await post(`${server.url}/v2/models/nope/infer`, smallBody)).status).toBe(404);
      }
    } finally {
      await quiet.close();
      await verbose.close();
    }
    // THEN both log the 4 refusals with status and message; only the second has 9 access lines
    for (const sink of [none, all]) {
      const refused = sink.records().filter((r) => r.msg === "request refused");
      expect(refused.map((r) => r.statusCode)).toEqual([400, 400, 400, 404]);
      expect(refused[0]).toMatchObject({ level: 30, reqId: expect.any(String), method: "POST" });
      // The message of a 4xx may quote the request's values: it is not logged.
      expect(refused[0]).not.toHaveProperty("error");
    }
    expect(none.records().filter((r) => r.msg === "request")).toHaveLength(0);
    const lines = all.records().filter((r) => r.msg === "request");
    expect(lines.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 400, 400, 400, 404]);
  });

  it("logs a burst of 503 refusals (queue full) once, then one line counting the rest, without stacks", async () => {
    // GIVEN a server whose slow model queues at most one request
    const sink = logSink();
    const server = await serve(
      ["--max-queue-size", "1", "--max-batch-size", "1", "--instance-thread", "worker"],
      sink,
    );
    const body = JSON.stringify({
      inputs: [{ name: "input", datatype: "FP32", shape: [1, 512], data: new Array(512).fill(0.5) }],
    });
    let refused = 0;
    try {
      // WHEN 40 requests arrive at once
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () =>
          post(`${server.url}/v2/models/slow/infer`, body).then((r) => r.status),
        ),
      );
      refused = statuses.filter((status) => status === 503).length;
      expect(refused).toBeGreaterThan(2);
      expect(statuses.filter((status) => status !== 503).every((status) => status === 200)).toBe(true);
    } finally {
      await server.close();
    }
    // THEN one warning names the first refusal, one more counts the others, and none is an error with a stack
    const records = sink.records();
    const first = records.filter(
      (r) => typeof r.msg === "string" && r.msg.startsWith("request refused with 503"),
    );
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      level: 40,
      statusCode: 503,
      error: expect.stringContaining("queue is full"),
    });
    const summary = records.filter(
      (r) => typeof r.msg === "string" && r.msg.includes("more requests refused with 503"),
    );
    expect(summary).toEqual([expect.objectContaining({ level: 40, refused: refused - 1 })]);
    expect(records.filter((r) => (r.level as number) >= 50)).toEqual([]);
  });
});

describe("AccessLog sampling", () => {
  it("spreads a rate evenly: 0.25 logs every fourth request", () => {
    const sink = logSink();
    const log = new AccessLog({ logger: createLogger("info", sink.destination), sampleRate: 0.25 });
    const sampled: number[] = [];
    for (let i = 0; i < 12; i++) {
      let listening = false;
      const response = {
        once: () => {
          listening = true;
        },
      };
      log.sample({} as never, response as never);
      if (listening) sampled.push(i);
    }
    expect(sampled).toEqual([3, 7, 11]);
  });

  it("refuses a rate outside 0..1", () => {
    expect(() => new AccessLog({ logger: createLogger("info"), sampleRate: 2 })).toThrow(RangeError);
  });
});
