/**
 * Hostile clients over real sockets, where the socket is the point: 413 before a body is read, slow
 * clients cut off, raw (unnormalized) paths, and clients that vanish mid-body or mid-inference while
 * others keep being served.
 */
import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { createServerMetrics } from "../../server/metrics";
import { ModelRepository } from "../../server/repository/repository";
import { identityModel } from "../../server/testing/onnx-builder";
import { delayingExecutors, writeRepository } from "./helpers";

const BODY_LIMIT = 64 * 1024;
const INFER_BODY = JSON.stringify({
  inputs: [{ name: "input", datatype: "FP32", shape: [1, 3], data: [1, 2, 3] }],
});

let app: ReturnType<typeof buildApp>;
let repository: ModelRepository;
let port: number;
const metrics = createServerMetrics({ processMetrics: false });
/** Inference on model "slow" waits for this many milliseconds. */
const SLOW_MS = 300;

beforeAll(async () => {
  const root = writeRepository({
    model: { versions: { 1: identityModel("FP32", ["batch", 3]) } },
    slow: { versions: { 1: identityModel("FP32", ["batch", 3]) } },
  });
  repository = new ModelRepository({
    root,
    createExecutor: delayingExecutors("slow", SLOW_MS),
  });
  await repository.load();
  app = buildApp({
    repository,
    bodyLimitBytes: BODY_LIMIT,
    headersTimeoutMs: 1_000,
    requestTimeoutMs: 1_500,
    metrics,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await repository.close();
});

async function connect(): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  return socket;
}

/** Everything the server sends until it closes the connection (or `untilText` appears). */
function readAll(socket: net.Socket, untilText?: string): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = () => resolve(text);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (untilText !== undefined && text.includes(untilText)) done();
    });
    socket.on("end", done);
    socket.on("close", done);
    socket.on("error", done);
  });
}

/** One raw request on a fresh connection; resolves with the raw response. */
async function rawRequest(head: string, body = ""): Promise<string> {
  const socket = await connect();
  const reply = readAll(socket);
  socket.write(
    `${head}\r\nHost: x\r\nConnection: close\r\n${body ? `Content-Length: ${body.length}\r\n` : ""}\r\n${body}`,
    "latin1",
  );
  const text = await reply;
  socket.destroy();
  return text;
}

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
}

function jsonBodyOf(raw: string): unknown {
  return JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
}

async function inferOk(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/v2/models/model/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: INFER_BODY,
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

describe("body limit over the wire", () => {
  it("answers 413 to an oversized Content-Length before any body byte is sent", async () => {
    // GIVEN a client that announces 1 GiB and sends nothing more
    const socket = await connect();
    const reply = readAll(socket, "}");
    socket.write(
      `POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 ** 30}\r\n\r\n`,
    );
    // THEN the server refuses at once
    const raw = await reply;
    expect(statusOf(raw)).toBe(413);
    expect(jsonBodyOf(raw)).toEqual({ error: expect.any(String) });
    socket.destroy();
  });

  it("answers 413 to a chunked body once it passes the limit, without waiting for the end", async () => {
    // GIVEN a chunked upload that has sent a little more than the limit and keeps the stream open
    const socket = await connect();
    const reply = readAll(socket, "}");
    socket.write(
      "POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    const chunk = "x".repeat(16 * 1024);
    for (let sent = 0; sent <= BODY_LIMIT; sent += chunk.length) {
      socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    }
    // THEN the 413 arrives though the terminating chunk was never sent
    const raw = await reply;
    expect(statusOf(raw)).toBe(413);
    socket.destroy();
    await inferOk();
  });
});

describe("slow clients", () => {
  it("closes a connection whose headers never finish (slowloris)", async () => {
    const socket = await connect();
    const reply = readAll(socket);
    socket.write("POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\n");
    const raw = await reply;
    expect(statusOf(raw)).toBe(408);
    expect(jsonBodyOf(raw)).toEqual({ error: "the request was not received in time" });
  });

  it("answers 408 to a body that stalls past the request timeout", async () => {
    const socket = await connect();
    const reply = readAll(socket);
    socket.write(
      "POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    const raw = await reply;
    expect(statusOf(raw)).toBe(408);
    expect(jsonBodyOf(raw)).toEqual({ error: expect.any(String) });
    await inferOk();
  });
});

describe("raw request targets", () => {
  it.each([
    "POST /v2/models/../../../../etc/passwd/infer HTTP/1.1",
    "POST /v2/models/%2E%2E/%2E%2E/outside/infer HTTP/1.1",
    "POST /v2/models/model/versions/%2E%2E/infer HTTP/1.1",
    "POST /v2/models/..\\..\\outside/infer HTTP/1.1",
    "POST /v2/models/%252E%252E%252Foutside/infer HTTP/1.1",
    "POST /v2/models/model%00/infer HTTP/1.1",
  ])("%s is refused with a JSON error", async (head) => {
    const raw = await rawRequest(`${head}\r\nContent-Type: application/json`, INFER_BODY);
    expect([400, 404]).toContain(statusOf(raw));
    expect(jsonBodyOf(raw)).toEqual({ error: expect.any(String) });
  });

  it("answers CONNECT (a tunnel request) 405 JSON rather than dropping the connection", async () => {
    const raw = await rawRequest("CONNECT 127.0.0.1:22 HTTP/1.1");
    expect(statusOf(raw)).toBe(405);
    expect(jsonBodyOf(raw)).toEqual({ error: "CONNECT is not supported: this server is not a proxy" });
    await inferOk();
  });

  it("refuses a raw NUL or control byte in the target and stays up", async () => {
    const raw = await rawRequest("GET /v2/models/model\u0000/ready HTTP/1.1");
    expect(statusOf(raw)).toBe(400);
    expect(jsonBodyOf(raw)).toEqual({ error: expect.any(String) });
    await inferOk();
  });
});

describe("clients that half-close", () => {
  it("a client that ends its side right after its request still gets the answer, then the connection closes", async () => {
    // GIVEN a request to a model that answers after SLOW_MS, its sender's side closed right after it
    const socket = await connect();
    const reply = readAll(socket);
    socket.end(
      `POST /v2/models/slow/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${INFER_BODY.length}\r\n\r\n${INFER_BODY}`,
    );
    // THEN the answer arrives in full, and the server closes the connection after it
    const raw = await reply;
    expect(statusOf(raw)).toBe(200);
    expect(jsonBodyOf(raw)).toMatchObject({ model_name: "slow", outputs: [{ data: [1, 2, 3] }] });
  });
});

describe("clients that vanish", () => {
  it("survives a client that disconnects mid-body and keeps serving others", async () => {
    const socket = await connect();
    socket.write(
      'POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"inputs":',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    await inferOk();
  });

  it("survives clients that disconnect mid-inference while others are served, and frees their slots", async () => {
    // GIVEN several requests running on the slow model
    const sockets = await Promise.all(Array.from({ length: 4 }, connect));
    for (const socket of sockets) {
      socket.on("error", () => {});
      socket.write(
        `POST /v2/models/slow/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${INFER_BODY.length}\r\n\r\n${INFER_BODY}`,
      );
    }
    const inflight = async () => (await metrics.inflightRequests.get()).values[0]?.value;
    while ((await inflight()) !== 4) await new Promise((resolve) => setTimeout(resolve, 5));

    // WHEN their clients vanish while the model runs (reset: a FIN alone is a half-close, whose client may
    // still read the answer; see "clients that half-close")
    for (const socket of sockets) socket.resetAndDestroy();

    // THEN other requests are served meanwhile and afterwards, and nothing stays counted in flight
    await inferOk();
    while ((await inflight()) !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    await inferOk();
    const aborted = (await metrics.requestsTotal.get()).values.find(
      (value) => value.labels.model === "slow" && value.labels.outcome === "aborted",
    );
    expect(aborted?.value).toBe(4);
  });
});
