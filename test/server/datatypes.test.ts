import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATATYPES, type Datatype } from "../../server/tensor";
import { identityModel } from "../../server/testing/onnx-builder";
import {
  binaryRequest,
  lengthPrefixed,
  type RepositoryLayout,
  splitBinaryResponse,
  startTestServer,
  type TestServer,
} from "./helpers";

/** Per datatype: JSON values sent, the exact JSON text expected back, and the same values as little-endian bytes. */
const CASES: Record<Datatype, { json: unknown[]; text: string; bytes: () => Buffer }> = {
  BOOL: { json: [true, false, true], text: "[true,false,true]", bytes: () => Buffer.from([1, 0, 1]) },
  UINT8: { json: [0, 255, 7], text: "[0,255,7]", bytes: () => Buffer.from([0, 255, 7]) },
  UINT16: {
    json: [0, 65535, 7],
    text: "[0,65535,7]",
    bytes: () => Buffer.from(new Uint16Array([0, 65535, 7]).buffer),
  },
  UINT32: {
    json: [0, 4294967295, 7],
    text: "[0,4294967295,7]",
    bytes: () => Buffer.from(new Uint32Array([0, 4294967295, 7]).buffer),
  },
  UINT64: {
    json: ["18446744073709551615", 0, 9007199254740991],
    text: "[18446744073709551615,0,9007199254740991]",
    bytes: () => Buffer.from(new BigUint64Array([18446744073709551615n, 0n, 9007199254740991n]).buffer),
  },
  INT8: {
    json: [-128, 127, 0],
    text: "[-128,127,0]",
    bytes: () => Buffer.from(new Int8Array([-128, 127, 0]).buffer),
  },
  INT16: {
    json: [-32768, 32767, -1],
    text: "[-32768,32767,-1]",
    bytes: () => Buffer.from(new Int16Array([-32768, 32767, -1]).buffer),
  },
  INT32: {
    json: [-2147483648, 2147483647, -1],
    text: "[-2147483648,2147483647,-1]",
    bytes: () => Buffer.from(new Int32Array([-2147483648, 2147483647, -1]).buffer),
  },
  INT64: {
    json: ["-9223372036854775808", -9007199254740991, "9223372036854775807"],
    text: "[-9223372036854775808,-9007199254740991,9223372036854775807]",
    bytes: () =>
      Buffer.from(
        new BigInt64Array([-9223372036854775808n, -9007199254740991n, 9223372036854775807n]).buffer,
      ),
  },
  FP16: {
    // 1.5, -2 and 65504 (the largest half) are exact; 0.1 rounds to the nearest half, 0.0999755859375.
    json: [1.5, -2, 65504],
    text: "[1.5,-2,65504]",
    bytes: () => Buffer.from(new Uint16Array([0x3e00, 0xc000, 0x7bff]).buffer),
  },
  FP32: {
    json: [1.5, -0.25, "NaN"],
    text: '[1.5,-0.25,"NaN"]',
    bytes: () => Buffer.from(new Float32Array([1.5, -0.25, Number.NaN]).buffer),
  },
  FP64: {
    json: [1e-300, 0.1, "-Infinity"],
    text: '[1e-300,0.1,"-Infinity"]',
    bytes: () => Buffer.from(new Float64Array([1e-300, 0.1, Number.NEGATIVE_INFINITY]).buffer),
  },
  BYTES: {
    json: ["hello", "", "ünïcødé"],
    text: '["hello","","ünïcødé"]',
    bytes: () => lengthPrefixed(["hello", "", "ünïcødé"]),
  },
};

describe("every V2 datatype through a real Identity model", () => {
  let server: TestServer;
  beforeAll(async () => {
    const layout: Record<string, RepositoryLayout[string]> = {};
    for (const datatype of DATATYPES)
      layout[`identity_${datatype.toLowerCase()}`] = { versions: { 1: identityModel(datatype) } };
    server = await startTestServer(layout);
  });
  afterAll(() => server.close());

  it.each(DATATYPES)("%s: metadata reports the datatype and -1 for the dynamic batch", async (datatype) => {
    const response = await server.app.inject({
      method: "GET",
      url: `/v2/models/identity_${datatype.toLowerCase()}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().inputs).toEqual([{ name: "input", datatype, shape: [-1, 3] }]);
    expect(response.json().outputs).toEqual([{ name: "output", datatype, shape: [-1, 3] }]);
  });

  it.each(DATATYPES)("%s: nested JSON data in, exact JSON data out", async (datatype) => {
    const { json, text } = CASES[datatype];
    const response = await server.app.inject({
      method: "POST",
      url: `/v2/models/identity_${datatype.toLowerCase()}/infer`,
      payload: { inputs: [{ name: "input", datatype, shape: [1, 3], data: [json] }] },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toContain(`"data":${text}`);
    expect(response.json().outputs[0]).toMatchObject({ name: "output", datatype, shape: [1, 3] });
  });

  it.each(DATATYPES)("%s: binary data in, binary data out, byte for byte", async (datatype) => {
    const bytes = CASES[datatype].bytes();
    const { headers, payload } = binaryRequest(
      {
        id: `bin-${datatype}`,
        inputs: [{ name: "input", datatype, shape: [1, 3], parameters: { binary_data_size: bytes.length } }],
        parameters: { binary_data_output: true },
      },
      [bytes],
    );
    const response = await server.app.inject({
      method: "POST",
      url: `/v2/models/identity_${datatype.toLowerCase()}/infer`,
      headers,
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toBe("application/octet-stream");
    const { header, binary } = splitBinaryResponse(response.headers, response.rawPayload);
    expect(header).toEqual({
      model_name: `identity_${datatype.toLowerCase()}`,
      model_version: "1",
      id: `bin-${datatype}`,
      outputs: [{ name: "output", datatype, shape: [1, 3], parameters: { binary_data_size: bytes.length } }],
    });
    expect(Buffer.compare(binary, bytes)).toBe(0);
  });

  it.each(DATATYPES)("%s: binary data in (application/json + header), JSON data out", async (datatype) => {
    const { bytes, text } = CASES[datatype];
    const body = bytes();
    const { headers, payload } = binaryRequest(
      { inputs: [{ name: "input", datatype, shape: [1, 3], parameters: { binary_data_size: body.length } }] },
      [body],
    );
    const response = await server.app.inject({
      method: "POST",
      url: `/v2/models/identity_${datatype.toLowerCase()}/infer`,
      headers: { ...headers, "content-type": "application/json" },
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.body).toContain(`"data":${text}`);
  });

  it("FP16: a value between halves rounds to the nearest half", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/identity_fp16/infer",
      payload: { inputs: [{ name: "input", datatype: "FP16", shape: [1, 3], data: [0.1, 1e-8, 1e6] }] },
    });
    expect(response.json().outputs[0].data).toEqual([0.0999755859375, 0, "Infinity"]);
  });

  it("INT64: a JSON number beyond 2^53 is refused with a way out, not silently rounded", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/identity_int64/infer",
      headers: { "content-type": "application/json" },
      payload: '{"inputs":[{"name":"input","datatype":"INT64","shape":[1,3],"data":[1,2,9007199254740993]}]}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(
      /input "input": data\[2\] .* beyond 2\^53 .*decimal string or use the binary/,
    );
  });

  it("a request selects outputs and mixes binary and JSON outputs per output", async () => {
    const bytes = CASES.INT32.bytes();
    const { headers, payload } = binaryRequest(
      {
        inputs: [
          { name: "input", datatype: "INT32", shape: [1, 3], parameters: { binary_data_size: bytes.length } },
        ],
        outputs: [{ name: "output", parameters: { binary_data: false } }],
        parameters: { binary_data_output: true },
      },
      [bytes],
    );
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/identity_int32/infer",
      headers,
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.json().outputs[0].data).toEqual([-2147483648, 2147483647, -1]);
  });
});
