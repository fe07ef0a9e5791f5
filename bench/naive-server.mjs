// BASELINE for `npm run bench`: the inference server a user would write by hand around onnxruntime-node.
// Plain node:http, the Open Inference Protocol's JSON request and response (and, when the request says
// so, the binary tensor extension: a JSON header of Inference-Header-Content-Length bytes, then the raw
// tensors), one `session.run` per request. It is deliberately unoptimised beyond the obvious;
// onnxfleet-server is measured against it.
//
// Usage: node bench/naive-server.mjs <model.onnx> <port>
import * as ort from "onnxruntime-node";
import { answerOutputs, serveInference } from "./v2-http.mjs";

const [modelPath, port] = process.argv.slice(2);
const session = await ort.InferenceSession.create(modelPath);
const TYPES = {
  FP32: "float32",
  FP64: "float64",
  INT32: "int32",
  INT64: "int64",
  UINT8: "uint8",
  BOOL: "bool",
};
const DATATYPES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));
const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

serveInference(port, async ({ res, bytes, headerLength, body }) => {
  let offset = headerLength;
  const feeds = {};
  for (const input of body.inputs) {
    const type = TYPES[input.datatype];
    let data = type === "int64" ? input.data?.map(BigInt) : input.data;
    const size = input.parameters?.binary_data_size;
    if (size !== undefined) {
      // Copied into an array of its own: the bytes in the body need not be aligned.
      data = new ARRAYS[type](Uint8Array.from(bytes.subarray(offset, offset + size)).buffer);
      offset += size;
    }
    feeds[input.name] = new ort.Tensor(type, data, input.shape);
  }
  const results = await session.run(feeds);
  const outputs = Object.entries(results).map(([name, tensor]) => ({
    name,
    datatype: DATATYPES[tensor.type],
    shape: tensor.dims,
    data: tensor.data,
  }));
  answerOutputs(res, body.model_name ?? "model", outputs, Boolean(body.parameters?.binary_data_output));
});
