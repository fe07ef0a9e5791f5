/**
 * Requests whose client has gone are not run (real sockets, real onnxruntime on a worker thread): a client
 * whose connection is reset (RST: a process killed with unread data, a proxy aborting with no linger) while
 * its request waits in the queue costs no compute, so an overloaded server spends its instances on the
 * clients still waiting. A client that only ends its sending side (FIN) still gets its answer: the server
 * keeps half-open connections (a half-close does not mean the client lost interest: RFC 9112's note on
 * half-close, httpwg/http-core#431; server/app.ts), and over TCP a client that closed fully is
 * indistinguishable from one that half-closed until an answer is written, so such a request still runs.
 */

import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { DynamicBatcher } from "../../server/batching";
import { batchingExecutorFactory, type ServerBatchingSettings } from "../../server/batching/executor-factory";
import { mlp } from "../../server/testing/onnx-builder";
import { WORKER_TEST_SETTINGS } from "./batching-helpers";
import { startTestServer, type TestServer } from "./helpers";

const WIDTH = 16;
// About 17 M multiply-adds per row: a first request of 1,024 rows keeps the one instance busy for a second
// or more while the one-row requests behind it queue.
const SIZES = [WIDTH, 4096, 4096, 10];
const LONG_ROWS = 1024;

// One request at a time, so each one-row request queues on its own behind the long one.
const SETTINGS: ServerBatchingSettings = { ...WORKER_TEST_SETTINGS, maxBatchSize: 1, queueTimeoutMs: 60_000 };

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(): Promise<{ server: TestServer; port: number; batcher: DynamicBatcher }> {
  const server = await startTestServer(
    { slow: { versions: { 1: mlp(SIZES) } } },
    { createExecutor: batchingExecutorFactory(SETTINGS, { info: () => {}, warn: () => {} }) },
  );
  servers.push(server);
  await server.app.listen({ port: 0, host: "127.0.0.1" });
  const port = (server.app.server.address() as AddressInfo).port;
  return { server, port, batcher: server.repository.find("slow")!.executor as DynamicBatcher };
}

function body(rows: number): string {
  return JSON.stringify({
    inputs: [
      {
        name: "input",
        datatype: "FP32",
        shape: [rows, WIDTH],
        data: Array.from({ length: rows * WIDTH }, (_, i) => (i % 7) / 7),
      },
    ],
  });
}

/** Writes one inference request on a fresh connection; resolves with the status line (or "" if none). */
function rawRequest(port: number, rows: number, onSocket?: (socket: net.Socket) => void): Promise<string> {
  const text = body(rows);
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        `POST /v2/models/slow/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
      onSocket?.(socket);
    });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received.split("\r\n")[0] ?? ""));
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("requests whose client has gone", () => {
  it("are dropped from the queue unrun, and the client still waiting is served next", async () => {
    // GIVEN one instance busy with a long first request, and nine one-row requests queued behind it
    const { port, batcher } = await serve();
    const first = rawRequest(port, LONG_ROWS);
    await until(() => batcher.stats.runningBatches === 1, "the first run");
    const goners: net.Socket[] = [];
    const gone = Array.from({ length: 8 }, () => rawRequest(port, 1, (socket) => goners.push(socket)));
    await until(() => batcher.stats.queuedRequests === 8, "eight queued requests");
    const waiting = rawRequest(port, 1);
    await until(() => batcher.stats.queuedRequests === 9, "the ninth queued request");

    // WHEN the eight clients reset their connections (RST) before their requests start
    for (const socket of goners) socket.resetAndDestroy();
    const statuses = await Promise.all([first, waiting]);
    await Promise.all(gone);

    // THEN the first and the waiting client get 200, and only their two requests ran
    expect(statuses).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
    await until(() => batcher.stats.queuedRequests === 0 && batcher.stats.runningBatches === 0, "idle");
    expect(batcher.stats).toMatchObject({ requests: 2, batches: 2, abandoned: 8, queuedRequests: 0 });
  }, 60_000);

  it("a client that ends its sending side (FIN) while queued still gets its answer", async () => {
    const { port, batcher } = await serve();
    const first = rawRequest(port, LONG_ROWS);
    await until(() => batcher.stats.runningBatches === 1, "the first run");
    const halfClosed = rawRequest(port, 1, (socket) => socket.end());
    await until(() => batcher.stats.queuedRequests === 1, "the queued request");

    expect(await Promise.all([first, halfClosed])).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
    expect(batcher.stats).toMatchObject({ requests: 2, abandoned: 0 });
  }, 60_000);
});
