/**
 * HTTP/1.1 pipelining over a real socket: requests written back to back on one connection before any
 * answer is read. Up to MAX_QUEUED_PIPELINED_REQUESTS answers may wait behind the one being written; past
 * that a request is answered 503 at once, in its turn, so a flood of pipelined requests holds a bounded
 * amount of the server and every request still gets its answer.
 */
import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { MAX_QUEUED_PIPELINED_REQUESTS } from "../../server/pipelining";
import { ModelRepository } from "../../server/repository/repository";
import { identityModel } from "../../server/testing/onnx-builder";
import { delayingExecutors, writeRepository } from "./helpers";

/** Inference on model "slow" waits this long, so no answer is ready while a burst is being parsed. */
const SLOW_MS = 200;

let app: ReturnType<typeof buildApp>;
let repository: ModelRepository;
let port: number;

beforeAll(async () => {
  const root = writeRepository({
    fast: { versions: { 1: identityModel("FP32", ["batch", 3]) } },
    slow: { versions: { 1: identityModel("FP32", ["batch", 3]) } },
  });
  repository = new ModelRepository({
    root,
    createExecutor: delayingExecutors("slow", SLOW_MS),
  });
  await repository.load();
  app = buildApp({ repository });
  await app.listen({ port: 0, host: "127.0.0.1" });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await repository.close();
});

function inferRequest(model: string, value: number): string {
  const body = JSON.stringify({
    id: `r${value}`,
    inputs: [{ name: "input", datatype: "FP32", shape: [1, 3], data: [value, value, value] }],
  });
  return (
    `POST /v2/models/${model}/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

interface Answer {
  readonly status: number;
  readonly body: { id?: string; error?: string; outputs?: { data: number[] }[] };
}

/** Splits what the server sent into answers (each with a Content-Length body); undefined until complete. */
function parseAnswers(bytes: Buffer, expected: number): Answer[] | undefined {
  const answers: Answer[] = [];
  let offset = 0;
  while (answers.length < expected) {
    const headEnd = bytes.indexOf("\r\n\r\n", offset, "latin1");
    if (headEnd < 0) return undefined;
    const head = bytes.toString("latin1", offset, headEnd);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    if (headEnd + 4 + length > bytes.length) return undefined;
    answers.push({
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
      body: JSON.parse(bytes.toString("utf8", headEnd + 4, headEnd + 4 + length)),
    });
    offset = headEnd + 4 + length;
  }
  return answers;
}

/** Writes `count` requests in one write on one connection and reads their answers. */
async function pipeline(model: string, count: number): Promise<Answer[]> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  const chunks: Buffer[] = [];
  const answers = new Promise<Answer[]>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseAnswers(Buffer.concat(chunks), count);
      if (parsed !== undefined) resolve(parsed);
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after ${chunks.length} chunks`)));
  });
  socket.write(Array.from({ length: count }, (_, i) => inferRequest(model, i)).join(""));
  try {
    return await answers;
  } finally {
    socket.destroy();
  }
}

describe("pipelined requests on one connection", () => {
  it("are each answered in order while they stay within the bound", async () => {
    const answers = await pipeline("fast", 20);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(answers.map((answer) => answer.body.id)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    expect(answers[7]!.body.outputs![0]!.data).toEqual([7, 7, 7]);
  });

  it(`exactly at the bound (one being answered, ${MAX_QUEUED_PIPELINED_REQUESTS} queued behind it), none is refused`, async () => {
    const answers = await pipeline("slow", 1 + MAX_QUEUED_PIPELINED_REQUESTS);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });

  it("past the bound, each further request gets 503 JSON at once, in its turn; every request is answered", async () => {
    const count = 3 * MAX_QUEUED_PIPELINED_REQUESTS;
    const started = performance.now();
    const answers = await pipeline("slow", count);
    const statuses = answers.map((answer) => answer.status);
    // The first 1 + bound were admitted and answered with their own outputs.
    expect(statuses.slice(0, 1 + MAX_QUEUED_PIPELINED_REQUESTS)).toEqual(
      Array(1 + MAX_QUEUED_PIPELINED_REQUESTS).fill(200),
    );
    expect(answers[5]!.body.outputs![0]!.data).toEqual([5, 5, 5]);
    // The next one was refused while those were queued; every later one is answered, 200 or 503.
    expect(statuses[1 + MAX_QUEUED_PIPELINED_REQUESTS]).toBe(503);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused[0]!.body).toEqual({ error: expect.stringMatching(/pipelined on one connection/) });
    // The refusals waited for nothing but the answers ahead of them (the admitted ones ran one batch).
    expect(performance.now() - started).toBeLessThan(20 * SLOW_MS);
  });

  it("another client is served while a connection floods", async () => {
    const flood = pipeline("slow", 4 * MAX_QUEUED_PIPELINED_REQUESTS);
    const response = await fetch(`http://127.0.0.1:${port}/v2/models/fast/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [1, 3], data: [1, 2, 3] }] }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect((await flood).length).toBe(4 * MAX_QUEUED_PIPELINED_REQUESTS);
  });
});
