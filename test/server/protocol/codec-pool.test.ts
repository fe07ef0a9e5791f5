import { afterEach, describe, expect, it } from "vitest";
import type { RawInferBody } from "../../../server/protocol/body";
import { decodeRaw, encodeOutputs } from "../../../server/protocol/codec";
import { CodecPool } from "../../../server/protocol/codec-pool";
import { ProtocolError } from "../../../server/protocol/errors";
import type { ModelSignature } from "../../../server/runtime/metadata";
import type { Tensor } from "../../../server/tensor";

const SIGNATURE: ModelSignature = {
  inputs: [{ name: "input", datatype: "FP32", shape: [-1, 1024] }],
  outputs: [{ name: "output", datatype: "FP32", shape: [-1, 1000] }],
};

function jsonBody(payload: unknown): RawInferBody {
  return {
    bytes: Buffer.from(JSON.stringify(payload)),
    headerLength: undefined,
    contentType: "application/json",
  };
}

const wideRequest = (rows: number) =>
  jsonBody({
    id: "r-1",
    inputs: [
      {
        name: "input",
        datatype: "FP32",
        shape: [rows, 1024],
        data: Array.from({ length: rows * 1024 }, (_, index) => Math.fround(Math.sin(index))),
      },
    ],
  });

const pools: CodecPool[] = [];
function pool(options: Partial<ConstructorParameters<typeof CodecPool>[0]> = {}): CodecPool {
  const created = new CodecPool({ threads: 1, ...options });
  pools.push(created);
  return created;
}
afterEach(async () => {
  for (const created of pools.splice(0)) await created.close();
});

describe("CodecPool", () => {
  it("decodes a large body on a codec thread into the same request as the event loop does", async () => {
    const codec = pool();
    const body = wideRequest(2);
    const expected = decodeRaw(body, SIGNATURE);
    const decoded = await codec.decode(body, SIGNATURE);
    expect(codec.offloadedTasks).toBe(1);
    expect(decoded.id).toBe("r-1");
    expect(decoded.inputs[0]!.data).toBeInstanceOf(Float32Array);
    expect(decoded).toEqual(expected);
  });

  it("keeps small bodies and small responses on the calling thread", async () => {
    const codec = pool();
    const small = jsonBody({ inputs: [{ name: "input", datatype: "FP32", shape: [0, 1024], data: [] }] });
    await codec.decode(small, SIGNATURE);
    const outputs: Tensor[] = [
      { name: "output", datatype: "FP32", shape: [1, 3], data: new Float32Array(3) },
    ];
    await codec.encode({ modelName: "m", modelVersion: "1", id: undefined, outputs, binaryFlags: [false] });
    expect(codec.offloadedTasks).toBe(0);
  });

  it("encodes a large response on a codec thread to the same bytes, copying views on a batch's output", async () => {
    const codec = pool();
    const batchOutput = Float32Array.from({ length: 3000 }, (_, index) => Math.fround(index / 3));
    const own = batchOutput.subarray(1000, 2000);
    const outputs: Tensor[] = [{ name: "output", datatype: "FP32", shape: [1, 1000], data: own }];
    const request = { modelName: "wide", modelVersion: "1", id: "r-2", outputs, binaryFlags: [false] };
    const encoded = await codec.encode(request);
    expect(codec.offloadedTasks).toBe(1);
    const expected = encodeOutputs(request);
    expect(encoded.contentType).toBe(expected.contentType);
    expect(Buffer.from(encoded.body).toString("utf8")).toBe(expected.body);
    // The batch's buffer is still whole: only a copy of the request's rows went to the thread.
    expect(batchOutput.length).toBe(3000);
    expect(own[0]).toBe(Math.fround(1000 / 3));
  });

  it("encodes binary outputs on a codec thread byte for byte", async () => {
    const codec = pool({ minOffloadElements: 0 });
    const outputs: Tensor[] = [
      {
        name: "output",
        datatype: "FP32",
        shape: [1, 300],
        data: Float32Array.from({ length: 300 }, (_, i) => i),
      },
    ];
    const request = { modelName: "wide", modelVersion: "1", id: undefined, outputs, binaryFlags: [true] };
    const encoded = await codec.encode(request);
    expect(codec.offloadedTasks).toBe(1);
    expect(Buffer.compare(Buffer.from(encoded.body), encodeOutputs(request).body as Buffer)).toBe(0);
    expect(encoded.headers).toEqual(encodeOutputs(request).headers);
  });

  it("rejects a bad body with the same 4xx ProtocolError the event loop would throw", async () => {
    const codec = pool({ minOffloadBytes: 0 });
    const bad = jsonBody({ inputs: [{ name: "input", datatype: "FP32", shape: [1, 1024], data: [1, 2] }] });
    let local: unknown;
    try {
      decodeRaw(bad, SIGNATURE);
    } catch (error) {
      local = error;
    }
    const remote = await codec.decode(bad, SIGNATURE).catch((error: unknown) => error);
    expect(remote).toBeInstanceOf(ProtocolError);
    expect((remote as ProtocolError).statusCode).toBe(400);
    expect((remote as ProtocolError).message).toBe((local as ProtocolError).message);
    const notJson = { bytes: Buffer.from("{"), headerLength: undefined, contentType: "application/json" };
    await expect(codec.decode(notJson, SIGNATURE)).rejects.toThrow(/^the request body is not valid JSON: /);
  });

  it("spreads concurrent tasks over its threads and answers each with its own result", async () => {
    const codec = pool({ threads: 2, minOffloadBytes: 0 });
    const bodies = Array.from({ length: 20 }, (_, index) =>
      jsonBody({
        id: `r${index}`,
        inputs: [{ name: "input", datatype: "FP32", shape: [1, 1024], data: new Array(1024).fill(index) }],
      }),
    );
    const decoded = await Promise.all(bodies.map((body) => codec.decode(body, SIGNATURE)));
    decoded.forEach((request, index) => {
      expect(request.id).toBe(`r${index}`);
      expect((request.inputs[0]!.data as Float32Array)[1023]).toBe(index);
    });
    expect(codec.offloadedTasks).toBe(20);
  });

  it("refuses work once closed", async () => {
    const codec = pool({ minOffloadBytes: 0 });
    await codec.close();
    await expect(codec.decode(wideRequest(1), SIGNATURE)).rejects.toThrow(/closed/);
  });

  it("refuses a thread count that is not a positive integer", () => {
    expect(() => new CodecPool({ threads: 0 })).toThrow(/threads must be a positive integer, got 0/);
  });
});
