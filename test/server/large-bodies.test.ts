/**
 * Large JSON bodies do not starve probes, and `parameters` objects are bounded (issue 17, item 6). Real
 * server, real sockets, real onnxruntime.
 */
import { once } from "node:events";
import { rmSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { MAX_PARAMETERS } from "../../server/protocol/request";
import { mlp } from "../../server/testing/onnx-builder";
import { probeContinuously, writeRepository } from "./helpers";

let root: string;
let server: RunningServer;
beforeAll(async () => {
  root = writeRepository({ small: { versions: { 1: mlp([4, 8, 3]) } } });
  server = await start(
    ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
    {},
  );
});
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const post = (body: string) =>
  fetch(`${server.url}/v2/models/small/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

describe("large JSON bodies", () => {
  it("eight near-limit bodies at once: two are admitted, the rest get 503 at once, and probes keep being answered", async () => {
    // GIVEN eight JSON bodies of ~12 MiB each (about half a second of decoding each on this machine)
    const rows = 300_000;
    const data = Array.from({ length: rows * 4 }, (_, i) => (i % 1000) / 7);
    const body = JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [rows, 4], data }] });
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);

    // WHEN they arrive together while a client probes liveness every 50 ms
    const probes = probeContinuously(`${server.url}/v2/health/live`, 50);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        post(body).then(async (r) => ({ status: r.status, body: await r.json() })),
      ),
    );
    const slowestProbeMs = await probes.stop();

    // THEN at most two were decoded (answered 200, or 400 for more rows than maxBatchSize), the others
    // were refused with 503 naming the limit, and no probe waited for all eight decodes
    const refused = responses.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect((refused[0]!.body as { error: string }).error).toContain("large requests");
    expect(responses.filter((r) => r.status !== 503).every((r) => r.status === 200 || r.status === 400)).toBe(
      true,
    );
    // Generous for a loaded machine: decoding all eight in a row, as before the bound, holds probes far longer.
    expect(slowestProbeMs).toBeLessThan(6_000);

    // AND the server still serves a small request
    const small = await post(
      JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }] }),
    );
    expect(small.status).toBe(200);
  }, 120_000);
});

/** A server whose --large-bodies-budget-bytes is `budgetBytes` (body limit 4 MiB), serving "small". */
async function budgetedServer(budgetBytes: number) {
  const budgetRoot = writeRepository({ small: { versions: { 1: mlp([4, 8, 3]) } } });
  const budgeted = await start(
    [
      ...[
        "--model-repository",
        budgetRoot,
        "--http-port",
        "0",
        "--host",
        "127.0.0.1",
        "--log-level",
        "silent",
      ],
      ...["--body-limit-bytes", String(4 * 1024 * 1024), "--large-bodies-budget-bytes", String(budgetBytes)],
    ],
    {},
  );
  return {
    server: budgeted,
    port: Number(new URL(budgeted.url).port),
    async close() {
      await budgeted.close();
      rmSync(budgetRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Sends `count` requests on connections of their own: every `head` first, so the server decides on each
 * before any body byte arrives, then every `body`. Resolves with what each connection received. (The
 * connections stay open after the body: node drops the answers of a client that ends its side early.)
 */
async function headersFirst(
  port: number,
  count: number,
  head: string,
  body: string | Buffer,
): Promise<string[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = net.connect(port, "127.0.0.1");
      await once(socket, "connect");
      return socket;
    }),
  );
  const answers = sockets.map(
    (socket) =>
      new Promise<string>((resolve) => {
        let text = "";
        socket.on("data", (chunk: Buffer) => {
          text += chunk.toString("latin1");
        });
        socket.on("close", () => resolve(text));
        socket.on("error", () => {});
      }),
  );
  for (const socket of sockets) socket.write(head);
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const socket of sockets) socket.write(body);
  return Promise.all(answers);
}

describe("large binary bodies", () => {
  it("are admitted while their bytes fit --large-bodies-budget-bytes; past it, 503 at once, and small requests are served", async () => {
    const budgeted = await budgetedServer(8 * 1024 * 1024);
    try {
      // GIVEN six binary bodies of 3 MiB each whose headers all arrive before any body byte (the budget
      // holds two: 6 MiB of 8; a third would make 9)
      const rows = (3 * 1024 * 1024) / 16;
      const header = JSON.stringify({
        inputs: [
          { name: "input", datatype: "FP32", shape: [rows, 4], parameters: { binary_data_size: rows * 16 } },
        ],
      });
      const payload = Buffer.alloc(rows * 16);
      // WHEN their bodies follow
      const texts = await headersFirst(
        budgeted.port,
        6,
        "POST /v2/models/small/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n" +
          `Inference-Header-Content-Length: ${header.length}\r\n` +
          `Content-Length: ${header.length + payload.length}\r\nConnection: close\r\n\r\n`,
        Buffer.concat([Buffer.from(header), payload]),
      );
      const statuses = texts.map((text) => Number(text.split(" ")[1]));
      // THEN two were admitted (answered: 400 for more rows than maxBatchSize) and four refused with 503
      expect(statuses.filter((status) => status === 503).length).toBe(4);
      expect(statuses.filter((status) => status !== 503).every((status) => status === 400)).toBe(true);
      expect(texts.find((text) => text.startsWith("HTTP/1.1 503"))).toContain("--large-bodies-budget-bytes");
      // AND the budget is free again: a small request is served
      const small = await fetch(`${budgeted.server.url}/v2/models/small/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }],
        }),
      });
      expect(small.status).toBe(200);
    } finally {
      await budgeted.close();
    }
  }, 60_000);
});

describe("medium JSON bodies (64 KiB to 1 MiB)", () => {
  it("count against --large-bodies-budget-bytes on the direct path too: past it, 503 at once; the budget frees as they are answered", async () => {
    const budgeted = await budgetedServer(4 * 1024 * 1024);
    try {
      // GIVEN twelve JSON bodies of ~0.44 MB whose headers all arrive before any body byte (the 4 MiB
      // budget holds nine of them)
      const rows = 18_000;
      const data = Array.from({ length: rows * 4 }, (_, i) => (i % 1000) / 8);
      const body = JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [rows, 4], data }] });
      expect(body.length).toBeGreaterThan(400_000);
      expect(body.length).toBeLessThan(500_000);
      // WHEN their bodies follow
      const texts = await headersFirst(
        budgeted.port,
        12,
        "POST /v2/models/small/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        body,
      );
      const statuses = texts.map((text) => Number(text.split(" ")[1]));
      // THEN nine were admitted and decoded (400: more rows than maxBatchSize) and three refused with 503
      const admitted = Math.floor((4 * 1024 * 1024) / body.length);
      expect(statuses.filter((status) => status === 503).length).toBe(12 - admitted);
      expect(statuses.filter((status) => status !== 503).every((status) => status === 400)).toBe(true);
      expect(texts.find((text) => text.startsWith("HTTP/1.1 503"))).toContain("--large-bodies-budget-bytes");
      // AND once they are answered the whole budget is free again
      const again = await fetch(`${budgeted.server.url}/v2/models/small/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(again.status).toBe(400);
      expect(((await again.json()) as { error: string }).error).not.toContain("budget");
    } finally {
      await budgeted.close();
    }
  }, 60_000);
});

describe("bounded parameters", () => {
  const withParameters = (parameters: unknown) =>
    JSON.stringify({
      parameters,
      inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }],
    });

  it.each([
    [
      "too many entries",
      Object.fromEntries(Array.from({ length: MAX_PARAMETERS + 1 }, (_, i) => [`k${i}`, i])),
      "more than 64 entries",
    ],
    ["a nested object", { nested: { deep: [1, 2, 3] } }, "must be a boolean, a number or a string"],
    ["an array value", { list: [1, 2, 3] }, "must be a boolean, a number or a string"],
    ["a huge string", { note: "x".repeat(100_000) }, "longer than 1024 characters"],
  ])("a request whose parameters hold %s gets 400", async (_what, parameters, message) => {
    const response = await post(withParameters(parameters));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(message);
  });

  it("the protocol's own parameters and a few of a client's own still pass", async () => {
    const response = await post(withParameters({ binary_data_output: false, priority: 1, tag: "canary" }));
    expect(response.status).toBe(200);
  });
});
