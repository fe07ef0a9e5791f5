import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addModel, buildModel, identityModel } from "../../server/testing/onnx-builder";
import { binaryRequest, startTestServer, type TestServer } from "./helpers";

const a = (over: Record<string, unknown> = {}) => ({
  name: "a",
  datatype: "FP32",
  shape: [1, 2],
  data: [1, 2],
  ...over,
});
const b = (over: Record<string, unknown> = {}) => ({
  name: "b",
  datatype: "FP32",
  shape: [1, 2],
  data: [3, 4],
  ...over,
});

/** Malformed JSON requests to the Add model (inputs a, b: FP32 [-1, 2]) and the exact error each gets. */
const BAD_REQUESTS: [string, unknown, string][] = [
  ["a non-object body", [1, 2], "the request body must be a JSON object"],
  ["no inputs", { inputs: [] }, 'missing input(s) "a", "b"'],
  ["inputs that are not an array", { inputs: { a: [1, 2] } }, '"inputs" must be an array'],
  ["a non-string id", { id: 5, inputs: [a(), b()] }, '"id" must be a string'],
  [
    "an unknown input",
    { inputs: [a(), b(), a({ name: "c" })] },
    'unexpected input "c"; the model\'s inputs are "a", "b"',
  ],
  ["a missing input", { inputs: [a()] }, 'missing input(s) "b"'],
  ["a duplicated input", { inputs: [a(), a(), b()] }, 'input "a" is given more than once'],
  [
    "a wrong datatype",
    { inputs: [a({ datatype: "FP64" }), b()] },
    'input "a": datatype FP64 given, the model expects FP32',
  ],
  [
    "a non-V2 datatype",
    { inputs: [a({ datatype: "FLOAT" }), b()] },
    'input "a": datatype "FLOAT" is not an Open Inference Protocol datatype',
  ],
  [
    "a wrong rank",
    { inputs: [a({ shape: [2] }), b()] },
    'input "a": shape [2] has rank 1, the model expects rank 2 [-1, 2] (-1 = any size)',
  ],
  [
    "a wrong fixed dim",
    { inputs: [a({ shape: [1, 3], data: [1, 2, 3] }), b()] },
    'input "a": shape [1, 3] has 3 at axis 1, the model expects [-1, 2] (-1 = any size)',
  ],
  [
    "a negative dim",
    { inputs: [a({ shape: [-1, 2] }), b()] },
    'input "a": "shape" must be an array of non-negative integers, got [-1,2]',
  ],
  [
    "too few elements",
    { inputs: [a({ shape: [2, 2] }), b()] },
    'input "a": shape [2, 2] needs 4 elements, "data" holds 2',
  ],
  [
    "a huge shape with little data (refused before allocating)",
    { inputs: [a({ shape: [1e12, 2] }), b()] },
    'input "a": shape [1000000000000,2] declares more than 2147483647 elements',
  ],
  [
    "a string among numbers",
    { inputs: [a({ data: [1, "x"] }), b()] },
    'input "a": data[1] must be a number, got "x"',
  ],
  ["no data", { inputs: [a({ data: undefined }), b()] }, 'input "a": "data" is missing'],
  [
    "an unknown output",
    { inputs: [a(), b()], outputs: [{ name: "product" }] },
    'unknown output "product"; the model\'s outputs are "sum"',
  ],
  [
    "a bad binary_data flag",
    { inputs: [a(), b()], outputs: [{ name: "sum", parameters: { binary_data: "yes" } }] },
    'output "sum": parameters.binary_data must be true or false, got "yes"',
  ],
  [
    "non-object parameters",
    { inputs: [a(), b()], parameters: [1] },
    'request: "parameters" must be an object',
  ],
];

describe("request validation against the model's metadata", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(
      {
        add: { versions: { 1: addModel("FP32", ["batch", 2]) } },
        int8: { versions: { 1: identityModel("INT8", [2]) } },
        bytes: { versions: { 1: identityModel("BYTES", [2]) } },
        texts: { versions: { 1: identityModel("BYTES", [1, "n"]) } },
        bool: { versions: { 1: identityModel("BOOL", [2]) } },
        expand: {
          versions: {
            1: buildModel({
              inputs: [
                { name: "x", datatype: "FP32", shape: [3, 1] },
                { name: "shape", datatype: "INT64", shape: [2] },
              ],
              outputs: [{ name: "y", datatype: "FP32", shape: [null, null] }],
              nodes: [{ op: "Expand", inputs: ["x", "shape"], outputs: ["y"] }],
            }),
          },
          config: {
            warmup: {
              inputs: [
                { name: "x", datatype: "FP32", shape: [3, 1], data: [1, 2, 3] },
                { name: "shape", datatype: "INT64", shape: [2], data: [3, 2] },
              ],
            },
          },
        },
      },
      { bodyLimitBytes: 4096 },
    );
  });
  afterAll(() => server.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    server.app.inject({ method: "POST", url, payload: payload as string, headers });

  it.each(BAD_REQUESTS)("%s -> 400", async (_what, payload, message) => {
    const response = await post("/v2/models/add/infer", payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error: message });
  });

  it("integers out of the datatype's range -> 400 naming the range", async () => {
    const response = await post("/v2/models/int8/infer", {
      inputs: [{ name: "input", datatype: "INT8", shape: [2], data: [1, 128] }],
    });
    expect(response.json()).toEqual({
      error: 'input "input": data[1] must be a INT8 integer in [-128, 127], got 128',
    });
  });

  it("BOOL refuses numbers; BYTES refuses non-strings", async () => {
    const bool = await post("/v2/models/bool/infer", {
      inputs: [{ name: "input", datatype: "BOOL", shape: [2], data: [1, 0] }],
    });
    expect(bool.json()).toEqual({ error: 'input "input": data[0] must be true or false, got 1' });
    const bytes = await post("/v2/models/bytes/infer", {
      inputs: [{ name: "input", datatype: "BYTES", shape: [2], data: ["a", 2] }],
    });
    expect(bytes.json()).toEqual({ error: 'input "input": data[1] must be a string, got 2' });
  });

  it("invalid JSON, deep nesting and a missing body -> 400", async () => {
    const broken = await post("/v2/models/add/infer", '{"inputs": [', { "content-type": "application/json" });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatch(/^the request body is not valid JSON: /);
    const deep = `{"inputs":[{"name":"a","datatype":"FP32","shape":[1,2],"data":${"[".repeat(40)}1${"]".repeat(40)}},${JSON.stringify(b())}]}`;
    const nested = await post("/v2/models/add/infer", deep, { "content-type": "application/json" });
    expect(nested.json()).toEqual({ error: 'input "a": "data" is nested deeper than 32 levels' });
    const empty = await server.app.inject({ method: "POST", url: "/v2/models/add/infer" });
    expect(empty.statusCode).toBe(400);
  });

  it("a body over the limit -> 413 JSON", async () => {
    const response = await post("/v2/models/add/infer", {
      inputs: [a({ data: new Array(2000).fill(1.5) }), b()],
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toMatch(/body/i);
  });

  it("an unsupported content type -> 415 JSON", async () => {
    const response = await post("/v2/models/add/infer", "inputs=1", { "content-type": "text/plain" });
    expect(response.statusCode).toBe(415);
    expect(Object.keys(response.json())).toEqual(["error"]);
  });

  describe("binary extension framing", () => {
    const binaryInputs = (sizeA: number, sizeB: number) => ({
      inputs: [
        a({ data: undefined, parameters: { binary_data_size: sizeA } }),
        b({ data: undefined, parameters: { binary_data_size: sizeB } }),
      ],
    });
    const floats = Buffer.from(new Float32Array([1, 2]).buffer);

    it("octet-stream without Inference-Header-Content-Length -> 400", async () => {
      const response = await post("/v2/models/add/infer", floats, {
        "content-type": "application/octet-stream",
      });
      expect(response.json()).toEqual({
        error: "an application/octet-stream body needs the Inference-Header-Content-Length header",
      });
    });

    it("a header length past the body or not a number -> 400", async () => {
      const { payload } = binaryRequest(binaryInputs(8, 8), [floats, floats]);
      const past = await post("/v2/models/add/infer", payload, {
        "content-type": "application/octet-stream",
        "inference-header-content-length": "99999",
      });
      expect(past.json().error).toMatch(/^Inference-Header-Content-Length \(99999\) exceeds the body length/);
      const nan = await post("/v2/models/add/infer", payload, {
        "content-type": "application/octet-stream",
        "inference-header-content-length": "ten",
      });
      expect(nan.json()).toEqual({
        error: 'Inference-Header-Content-Length must be a non-negative integer, got "ten"',
      });
    });

    it("binary_data_size not matching the shape -> 400; sizes past the section -> 400; unclaimed bytes -> 400", async () => {
      const short = binaryRequest(binaryInputs(4, 12), [floats, floats]);
      expect((await post("/v2/models/add/infer", short.payload, short.headers)).json()).toEqual({
        error: 'input "a": shape [1, 2] of FP32 needs 8 bytes, binary_data_size is 4',
      });
      const past = binaryRequest(binaryInputs(8, 8), [floats]);
      expect((await post("/v2/models/add/infer", past.payload, past.headers)).json()).toEqual({
        error: 'input "b": binary_data_size 8 runs past the binary section (0 bytes left)',
      });
      const extra = binaryRequest(binaryInputs(8, 8), [floats, floats, floats]);
      expect((await post("/v2/models/add/infer", extra.payload, extra.headers)).json()).toEqual({
        error: "the binary section has 8 bytes that no input claims",
      });
    });

    it("BOOL bytes other than 0/1 and truncated BYTES prefixes -> 400", async () => {
      const bool = binaryRequest(
        { inputs: [{ name: "input", datatype: "BOOL", shape: [2], parameters: { binary_data_size: 2 } }] },
        [Buffer.from([1, 7])],
      );
      expect((await post("/v2/models/bool/infer", bool.payload, bool.headers)).json()).toEqual({
        error: 'input "input": BOOL element 1 is 7, not 0 or 1',
      });
      const bytes = binaryRequest(
        { inputs: [{ name: "input", datatype: "BYTES", shape: [2], parameters: { binary_data_size: 8 } }] },
        [Buffer.from([1, 0, 0, 0, 65, 2, 0, 0])],
      );
      expect((await post("/v2/models/bytes/infer", bytes.payload, bytes.headers)).json()).toEqual({
        error: 'input "input": BYTES element 1 has a truncated length prefix',
      });
      // A shape that claims more elements than 4-byte prefixes fit is refused before anything is allocated.
      const claims = binaryRequest(
        {
          inputs: [
            {
              name: "input",
              datatype: "BYTES",
              shape: [1, 1_000_000_000],
              parameters: { binary_data_size: 6 },
            },
          ],
        },
        [Buffer.from([1, 0, 0, 0, 65, 2])],
      );
      expect((await post("/v2/models/texts/infer", claims.payload, claims.headers)).json()).toEqual({
        error:
          'input "input": shape [1, 1000000000] needs 1000000000 BYTES elements, binary_data_size 6 holds fewer',
      });
    });
  });

  it("inputs that pass the metadata but fail inside onnxruntime -> 500 naming the model (a failure while running, as KServe's errors.py maps it), and the model still serves", async () => {
    const x = { name: "x", datatype: "FP32", shape: [3, 1], data: [1, 2, 3] };
    const bad = await post("/v2/models/expand/infer", {
      inputs: [x, { name: "shape", datatype: "INT64", shape: [2], data: [2, 2] }],
    });
    expect(bad.statusCode).toBe(500);
    expect(bad.json().error).toMatch(
      /^model "expand" version 1 failed while running: .*invalid expand shape/,
    );
    expect(bad.json().error).not.toMatch(/onnxruntime_src|\.(cc|h):\d+/);
    const good = await post("/v2/models/expand/infer", {
      inputs: [x, { name: "shape", datatype: "INT64", shape: [2], data: [3, 2] }],
    });
    expect(good.json().outputs[0]).toEqual({
      name: "y",
      datatype: "FP32",
      shape: [3, 2],
      data: [1, 1, 2, 2, 3, 3],
    });
  });

  it("application/json with a charset parameter is JSON", async () => {
    const response = await post("/v2/models/add/infer", JSON.stringify({ inputs: [a(), b()] }), {
      "content-type": "application/json; charset=utf-8",
    });
    expect(response.statusCode).toBe(200);
  });

  it("the server still answers after every malformed request", async () => {
    const response = await post("/v2/models/add/infer", { inputs: [a(), b()] });
    expect(response.statusCode).toBe(200);
    expect(response.json().outputs[0].data).toEqual([4, 6]);
  });
});
