/**
 * Inference bodies sent with a content coding, over real sockets: a compressed body is refused with 415
 * and `Accept-Encoding: identity` (RFC 9110, section 15.5.16 "415 Unsupported Media Type": the format
 * problem may be the request's Content-Encoding, and then Accept-Encoding, section 12.5.3, "ought to be
 * used to indicate which (if any) content codings would have been accepted"), never read as JSON and
 * answered 400 with its compressed bytes quoted back. `identity` is no coding and is served.
 */
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../server/app";
import { ModelRepository } from "../../../server/repository/repository";
import { mlp } from "../../../server/testing/onnx-builder";
import { binaryRequest, writeRepository } from "../helpers";

let repository: ModelRepository;
let app: ReturnType<typeof buildApp>;
let url: string;

beforeAll(async () => {
  repository = new ModelRepository({ root: writeRepository({ mlp: { versions: { 1: mlp([4, 8, 3]) } } }) });
  await repository.load();
  app = buildApp({ repository, bodyLimitBytes: 64 * 1024 });
  await app.listen({ port: 0, host: "127.0.0.1" });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v2/models/mlp/infer`;
});
afterAll(async () => {
  await app.close();
  await repository.close();
});

const REQUEST = { inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }] };

async function post(body: Buffer, headers: Record<string, string>) {
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("Content-Encoding on inference bodies", () => {
  it("refuses a gzip body with 415, a JSON error that names the coding, and Accept-Encoding: identity", async () => {
    for (const coding of ["gzip", "GZIP", "deflate", "br", "gzip, identity"]) {
      const answer = await post(gzipSync(JSON.stringify(REQUEST)), {
        "content-type": "application/json",
        "content-encoding": coding,
      });
      expect(answer.status, `${coding}: ${answer.text}`).toBe(415);
      const body = JSON.parse(answer.text) as { error: string };
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error).toContain(`unsupported content encoding ${JSON.stringify(coding)}`);
      expect(body.error).toContain("uncompressed");
      expect(answer.headers.get("accept-encoding")).toBe("identity");
    }
  });

  it("refuses a coded binary-extension body the same way", async () => {
    const { headers, payload } = binaryRequest(
      { inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], parameters: { binary_data_size: 16 } }] },
      [new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer)],
    );
    const answer = await post(gzipSync(payload), { ...headers, "content-encoding": "gzip" });
    expect(answer.status, answer.text).toBe(415);
    expect(answer.headers.get("accept-encoding")).toBe("identity");
  });

  it("serves identity (no coding) like a body without the header, and answers a plain 415 without Accept-Encoding", async () => {
    const plain = await post(Buffer.from(JSON.stringify(REQUEST)), { "content-type": "application/json" });
    const identity = await post(Buffer.from(JSON.stringify(REQUEST)), {
      "content-type": "application/json",
      "content-encoding": "Identity",
    });
    expect(plain.status, plain.text).toBe(200);
    expect(identity.status, identity.text).toBe(200);
    expect(JSON.parse(identity.text)).toEqual(JSON.parse(plain.text));

    const wrongType = await post(Buffer.from("x"), { "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("accept-encoding")).toBeNull();
  });
});
