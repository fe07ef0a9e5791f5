import { afterAll, beforeAll, describe, expect, it } from "vitest";
/** The MLP computed in plain JS from the same deterministic weights, to check onnxruntime's answer. */
import { addModel, deterministicValues, identityModel, mlp } from "../../server/testing/onnx-builder";
import { startTestServer, type TestServer } from "./helpers";

function referenceMlp(sizes: number[], input: number[][], seed = 42): number[][] {
  let rows = input;
  for (let layer = 0; layer + 1 < sizes.length; layer++) {
    const fanIn = sizes[layer]!;
    const fanOut = sizes[layer + 1]!;
    const weight = deterministicValues(fanIn * fanOut, seed + layer * 2, 1 / Math.sqrt(fanIn));
    const bias = deterministicValues(fanOut, seed + layer * 2 + 1, 0.1);
    const last = layer + 2 === sizes.length;
    rows = rows.map((row) =>
      Array.from({ length: fanOut }, (_, j) => {
        let sum = bias[j]!;
        for (let i = 0; i < fanIn; i++) sum += row[i]! * weight[i * fanOut + j]!;
        return last ? sum : Math.max(0, sum);
      }),
    );
  }
  return rows;
}

describe("JSON FP32 inference over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      mlp: { versions: { 1: mlp([4, 8, 3]) } },
      add: { versions: { 1: addModel("FP32", [2, 2]) } },
    });
  });
  afterAll(() => server.close());

  it("GIVEN an MLP WHEN a batch of two rows is posted THEN onnxruntime's outputs match a JS reference", async () => {
    const input = [
      [0.5, -1, 2, 0.25],
      [1, 1, 1, 1],
    ];
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/mlp/infer",
      payload: { id: "req-7", inputs: [{ name: "input", datatype: "FP32", shape: [2, 4], data: input }] },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ model_name: "mlp", model_version: "1", id: "req-7" });
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]).toMatchObject({ name: "output", datatype: "FP32", shape: [2, 3] });
    const expected = referenceMlp([4, 8, 3], input).flat();
    body.outputs[0].data.forEach((value: number, i: number) => {
      expect(value).toBeCloseTo(expected[i]!, 4);
    });
  });

  it("GIVEN an Add model with fixed shape WHEN flat data is posted to a version route THEN it adds", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/add/versions/1/infer",
      payload: {
        inputs: [
          { name: "a", datatype: "FP32", shape: [2, 2], data: [1, 2, 3, 4] },
          { name: "b", datatype: "FP32", shape: [2, 2], data: [10, 20, 30, 40.5] },
        ],
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().outputs[0]).toEqual({
      name: "sum",
      datatype: "FP32",
      shape: [2, 2],
      data: [11, 22, 33, 44.5],
    });
    expect(response.json()).not.toHaveProperty("id");
  });

  it.each([
    ["short", 1],
    ["long (the body goes out as bytes)", 400],
  ])(
    "GIVEN a %s non-ASCII request id WHEN answered THEN the body is UTF-8 with the id intact",
    async (_, times) => {
      const id = "zählung-名前-🚀".repeat(times);
      const response = await server.app.inject({
        method: "POST",
        url: "/v2/models/add/infer",
        payload: {
          id,
          inputs: [
            { name: "a", datatype: "FP32", shape: [2, 2], data: [1, 2, 3, 4] },
            { name: "b", datatype: "FP32", shape: [2, 2], data: [1, 1, 1, 1] },
          ],
        },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(Number(response.headers["content-length"])).toBe(response.rawPayload.length);
      expect(JSON.parse(response.rawPayload.toString("utf8"))).toMatchObject({
        id,
        outputs: [{ data: [2, 3, 4, 5] }],
      });
    },
  );

  it("GIVEN a wrong fixed dim WHEN posted THEN 400 names the input, what came and what was expected", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/add/infer",
      payload: {
        inputs: [
          { name: "a", datatype: "FP32", shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
          { name: "b", datatype: "FP32", shape: [2, 2], data: [1, 2, 3, 4] },
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe(
      'input "a": shape [2, 3] has 3 at axis 1, the model expects [2, 2] (-1 = any size)',
    );
  });

  it("GIVEN an unknown model WHEN posted THEN 404 JSON", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/nope/infer",
      payload: { inputs: [] },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'model "nope" is not served' });
  });
});

describe("long flat number arrays (read from the body's bytes, json-numbers.ts) over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      fp32: { versions: { 1: identityModel("FP32", ["batch", 100]) } },
      fp64: { versions: { 1: identityModel("FP64", ["batch", 100]) } },
      int32: { versions: { 1: identityModel("INT32", ["batch", 100]) } },
      uint8: { versions: { 1: identityModel("UINT8", ["batch", 100]) } },
    });
  });
  afterAll(() => server.close());

  const post = (model: string, datatype: string, data: unknown, shape = [1, 100]) =>
    server.app.inject({
      method: "POST",
      url: `/v2/models/${model}/infer`,
      headers: { "content-type": "application/json" },
      payload: `{"inputs":[{"name":"input","datatype":"${datatype}","shape":${JSON.stringify(shape)},"data":${typeof data === "string" ? data : JSON.stringify(data)}}]}`,
    });

  it("FP64 values come back as the very doubles sent, exponents and -0 included", async () => {
    const values = Array.from(
      { length: 100 },
      (_, i) => [i / 7, -1e-300 * i, 1.7976931348623157e308, -0, 5e-324][i % 5]!,
    );
    const text = `[${values.map((value) => (Object.is(value, -0) ? "-0" : String(value))).join(", ")}]`;
    const response = await post("fp64", "FP64", text);
    expect(response.statusCode).toBe(200);
    const data = response.json().outputs[0].data as number[];
    expect(data.map((value, i) => Object.is(value, values[i]))).toEqual(values.map(() => true));
  });

  it("FP32 values come back rounded to float32, two rows in one request", async () => {
    const values = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 1000);
    const response = await post("fp32", "FP32", values, [2, 100]);
    expect(response.statusCode).toBe(200);
    expect(response.json().outputs[0].data).toEqual(values.map((value) => Math.fround(value)));
  });

  it("integer datatypes keep their range checks and messages", async () => {
    const ok = await post(
      "int32",
      "INT32",
      Array.from({ length: 100 }, (_, i) => i * 1000 - 2147483648),
    );
    expect(ok.statusCode).toBe(200);
    const outOfRange = await post(
      "uint8",
      "UINT8",
      Array.from({ length: 100 }, (_, i) => (i === 42 ? 256 : i)),
    );
    expect(outOfRange.statusCode).toBe(400);
    expect(outOfRange.json().error).toBe(
      'input "input": data[42] must be a UINT8 integer in [0, 255], got 256',
    );
    const fraction = await post(
      "int32",
      "INT32",
      Array.from({ length: 100 }, (_, i) => (i === 7 ? 1.5 : i)),
    );
    expect(fraction.json().error).toBe(
      'input "input": data[7] must be a INT32 integer in [-2147483648, 2147483647], got 1.5',
    );
  });

  it("a wrong element count and invalid JSON get the same 400s as short arrays", async () => {
    const short = await post("fp32", "FP32", new Array(99).fill(1));
    expect(short.statusCode).toBe(400);
    expect(short.json().error).toBe('input "input": shape [1, 100] needs 100 elements, "data" holds 99');
    const invalid = await post("fp32", "FP32", `[${new Array(100).fill("1").join(",")},]`);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatch(/^the request body is not valid JSON: /);
  });
});
