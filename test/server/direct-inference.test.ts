/**
 * The direct path (server/direct-inference.ts) over real sockets: which requests take it (fastify's hooks
 * never see them), that each answers exactly as fastify's route answers the same request (`app.inject`
 * goes through fastify only), and that the requests it leaves to fastify get fastify's answers. Metrics
 * and access lines are kept for direct requests.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { createLogger } from "../../server/logger";
import { createServerMetrics } from "../../server/metrics";
import { ModelRepository } from "../../server/repository/repository";
import { identityModel, mlp } from "../../server/testing/onnx-builder";
import { binaryRequest, writeRepository } from "./helpers";

const TOKEN = "a-test-token-of-32-characters-xx";

interface Served {
  readonly app: ReturnType<typeof buildApp>;
  readonly url: string;
  /** Requests fastify answered (the direct path's never reach its hooks). */
  readonly seenByFastify: string[];
  readonly logLines: string[];
  readonly metrics: ReturnType<typeof createServerMetrics>;
}

let repository: ModelRepository;
const servers: Served[] = [];

async function serve(authToken?: string): Promise<Served> {
  const metrics = createServerMetrics({ processMetrics: false });
  const logLines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void logLines.push(line) });
  const app = buildApp({
    repository,
    metrics,
    logger,
    accessLogSampleRate: 1,
    bodyLimitBytes: 64 * 1024,
    ...(authToken === undefined ? {} : { authToken }),
  });
  const seenByFastify: string[] = [];
  // onSend: every answer fastify gives passes through it, the auth hook's 401 included (which ends the
  // onRequest hooks registered after it), before any byte reaches the client.
  app.addHook("onSend", (request, _reply, payload, done) => {
    seenByFastify.push(`${request.method} ${request.url}`);
    done(null, payload);
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const served = {
    app,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    seenByFastify,
    logLines,
    metrics,
  };
  servers.push(served);
  return served;
}

beforeAll(async () => {
  const root = writeRepository({
    mlp: { versions: { 1: mlp([4, 8, 3]), 2: mlp([4, 8, 3], { seed: 2 }) } },
    ints: { versions: { 1: identityModel("INT64", ["batch", 2]) } },
  });
  repository = new ModelRepository({ root });
  await repository.load();
});
afterAll(async () => {
  for (const served of servers) await served.app.close();
  await repository.close();
});

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

const json = (url: string, body: unknown, headers: Record<string, string> = {}): Sent => ({
  url,
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

const ROW = { name: "input", datatype: "FP32", shape: [1, 4], data: [0.5, -1, 2, 0.25] };
const binaryRow = binaryRequest(
  {
    inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], parameters: { binary_data_size: 16 } }],
    parameters: { binary_data_output: true },
  },
  [new Uint8Array(new Float32Array([0.5, -1, 2, 0.25]).buffer)],
);

/** Requests the direct path takes, successful and not: each must be answered as fastify answers it. */
const DIRECT_CASES: Record<string, Sent> = {
  "V2 JSON": json("/v2/models/mlp/infer", { id: "r-1", inputs: [ROW] }),
  "a version named in the URL": json("/v2/models/mlp/versions/2/infer", { inputs: [ROW] }),
  "the binary tensor extension": {
    url: "/v2/models/mlp/infer",
    headers: binaryRow.headers,
    body: binaryRow.payload,
  },
  "JSON with a charset": json(
    "/v2/models/mlp/infer",
    { inputs: [ROW] },
    {
      "content-type": "application/json; charset=utf-8",
    },
  ),
  "INT64 values": json("/v2/models/ints/infer", {
    inputs: [{ name: "input", datatype: "INT64", shape: [1, 2], data: [9007199254740991, -3] }],
  }),
  "a caller's request id": json("/v2/models/mlp/infer", { inputs: [ROW] }, { "x-request-id": "trace-42" }),
  "invalid JSON (400)": json("/v2/models/mlp/infer", '{"inputs": ['),
  "a wrong shape (400)": json("/v2/models/mlp/infer", { inputs: [{ ...ROW, shape: [1, 5] }] }),
  "an unknown input (400)": json("/v2/models/mlp/infer", { inputs: [{ ...ROW, name: "nope" }] }),
  "an unknown output (400)": json("/v2/models/mlp/infer", { inputs: [ROW], outputs: [{ name: "nope" }] }),
  "a binary header longer than the body (400)": {
    url: "/v2/models/mlp/infer",
    headers: { ...binaryRow.headers, "inference-header-content-length": "9999" },
    body: binaryRow.payload,
  },
  "octet-stream without the header length (400)": {
    url: "/v2/models/mlp/infer",
    headers: { "content-type": "application/octet-stream" },
    body: binaryRow.payload,
  },
};

async function overSocket(served: Served, sent: Sent) {
  const response = await fetch(served.url + sent.url, {
    method: "POST",
    headers: sent.headers,
    body: sent.body,
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

async function throughFastify(served: Served, sent: Sent) {
  const response = await served.app.inject({
    method: "POST",
    url: sent.url,
    headers: sent.headers,
    payload: sent.body,
  });
  return { status: response.statusCode, headers: response.headers, body: response.rawPayload };
}

describe("the direct inference path", () => {
  it.each(Object.entries(DIRECT_CASES))(
    "%s: taken directly, and answered as fastify's route answers it",
    async (_name, sent) => {
      const served = await serve();
      const direct = await overSocket(served, sent);
      expect(served.seenByFastify).toEqual([]);
      const viaFastify = await throughFastify(served, sent);
      expect(served.seenByFastify).toHaveLength(1);
      expect(direct.status).toBe(viaFastify.status);
      expect(direct.body.equals(viaFastify.body)).toBe(true);
      for (const header of ["content-type", "content-length", "inference-header-content-length"]) {
        expect(direct.headers[header], header).toBe(viaFastify.headers[header]);
      }
      if (direct.status >= 400) expect(JSON.parse(direct.body.toString()).error).toEqual(expect.any(String));
      const given = sent.headers["x-request-id"];
      if (given !== undefined) expect(direct.headers["x-request-id"]).toBe(given);
      else expect(direct.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  const LEFT_TO_FASTIFY: Record<string, { sent: Sent; status: number }> = {
    "an unknown model (404)": { sent: json("/v2/models/nope/infer", { inputs: [ROW] }), status: 404 },
    "an unknown version (404)": {
      sent: json("/v2/models/mlp/versions/7/infer", { inputs: [ROW] }),
      status: 404,
    },
    "a content type with other parameters": {
      sent: json(
        "/v2/models/mlp/infer",
        { inputs: [ROW] },
        { "content-type": "application/json;charset=UTF-8" },
      ),
      status: 200,
    },
    "another content type (415)": {
      sent: json("/v2/models/mlp/infer", { inputs: [ROW] }, { "content-type": "text/plain" }),
      status: 415,
    },
    "a trailing slash": { sent: json("/v2/models/mlp/infer/", { inputs: [ROW] }), status: 200 },
    "a query string": { sent: json("/v2/models/mlp/infer?trace=1", { inputs: [ROW] }), status: 200 },
    "a percent-encoded model name": { sent: json("/v2/models/ml%70/infer", { inputs: [ROW] }), status: 200 },
    "a body over the body limit (413)": {
      sent: json("/v2/models/mlp/infer", { inputs: [ROW], pad: "x".repeat(70 * 1024) }),
      status: 413,
    },
  };
  it.each(Object.entries(LEFT_TO_FASTIFY))(
    "%s: left to fastify, which answers it",
    async (_name, { sent, status }) => {
      const served = await serve();
      const response = await overSocket(served, sent);
      expect(served.seenByFastify).toHaveLength(1);
      expect(response.status).toBe(status);
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
      if (status >= 400) expect(JSON.parse(response.body.toString()).error).toEqual(expect.any(String));
    },
  );

  it("a body sent in chunks without a Content-Length is left to fastify, which serves it", async () => {
    const served = await serve();
    const body = JSON.stringify({ inputs: [ROW] });
    const response = await fetch(`${served.url}/v2/models/mlp/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body.slice(0, 10)));
          controller.enqueue(new TextEncoder().encode(body.slice(10)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(served.seenByFastify).toEqual(["POST /v2/models/mlp/infer"]);
  });

  it("with auth on: a request with the token is taken directly; without it, or with a wrong one, fastify answers 401", async () => {
    const served = await serve(TOKEN);
    const sent = json("/v2/models/mlp/infer", { inputs: [ROW] });
    const withToken = await overSocket(served, {
      ...sent,
      headers: { ...sent.headers, authorization: `Bearer ${TOKEN}` },
    });
    expect(withToken.status).toBe(200);
    expect(served.seenByFastify).toEqual([]);
    const without = await overSocket(served, sent);
    const wrong = await overSocket(served, {
      ...sent,
      headers: { ...sent.headers, authorization: "Bearer not-the-token-at-all-xxxxxxx" },
    });
    expect([without.status, wrong.status]).toEqual([401, 401]);
    expect(served.seenByFastify).toHaveLength(2);
  });

  it("counts direct requests in the request metrics and logs them with their request id", async () => {
    const served = await serve();
    for (let i = 0; i < 3; i++) expect((await overSocket(served, DIRECT_CASES["V2 JSON"]!)).status).toBe(200);
    const refused = await overSocket(served, DIRECT_CASES["a wrong shape (400)"]!);
    expect(refused.status).toBe(400);
    expect(served.seenByFastify).toEqual([]);
    // The response's `close` (where the metrics and the access line are written) follows the last byte sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await served.metrics.registry.metrics();
    expect(text).toContain('onnxfleet_requests_total{model="mlp",version="2",outcome="success"} 3');
    expect(text).toContain('onnxfleet_requests_total{model="mlp",version="2",outcome="client_error"} 1');
    expect(text).toContain("onnxfleet_inflight_requests 0");
    const records = served.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const refusedLine = records.find((r) => r.msg === "request refused");
    expect(refusedLine).toMatchObject({ reqId: refused.headers["x-request-id"], statusCode: 400 });
    expect(records.filter((r) => r.msg === "request" && r.statusCode === 200)).toHaveLength(3);
  });
});
