// BASELINE for `npm run bench`: the inference server a user would write by hand around onnxruntime-node.
// Plain node:http, the Open Inference Protocol's JSON request and response (and, when the request says
// so, the binary tensor extension: a JSON header of Inference-Header-Content-Length bytes, then the raw
// tensors), one `session.run` per request. It is deliberately unoptimised beyond the obvious;
// onnxfleet-server is measured against it.
//
// Usage: node bench/naive-server.mjs <model.onnx> <port>
import { createServer } from "node:http";
import * as ort from "onnxruntime-node";

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

const server = createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(req.url === "/v2/health/ready" ? 200 : 404).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    try {
      const bytes = Buffer.concat(chunks);
      const headerLength = Number(req.headers["inference-header-content-length"] ?? bytes.length);
      const body = JSON.parse(bytes.subarray(0, headerLength).toString("utf8"));
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
      const entries = Object.entries(results);
      if (body.parameters?.binary_data_output) {
        const outputs = entries.map(([name, tensor]) => ({
          name,
          datatype: DATATYPES[tensor.type],
          shape: tensor.dims,
          parameters: { binary_data_size: tensor.data.byteLength },
        }));
        const header = Buffer.from(JSON.stringify({ model_name: body.model_name ?? "model", outputs }));
        const tensors = entries.map(([, tensor]) =>
          Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
        );
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "inference-header-content-length": header.length,
        });
        res.end(Buffer.concat([header, ...tensors]));
        return;
      }
      const outputs = entries.map(([name, tensor]) => ({
        name,
        datatype: DATATYPES[tensor.type],
        shape: tensor.dims,
        data: Array.from(tensor.data, Number),
      }));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ model_name: body.model_name ?? "model", outputs }));
    } catch (error) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error.message) }));
    }
  });
});
server.listen(Number(port), "127.0.0.1", () => process.send?.("listening"));
process.on("SIGINT", () => process.exit(0));
