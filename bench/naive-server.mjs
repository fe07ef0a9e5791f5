// BASELINE for `npm run bench`: the inference server a user would write by hand around onnxruntime-node.
// Plain node:http, the Open Inference Protocol's JSON request and response, one `session.run` per request.
// It is deliberately unoptimised beyond the obvious; onnxfleet-server is measured against it.
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

const server = createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(req.url === "/v2/health/ready" ? 200 : 404).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const feeds = {};
      for (const input of body.inputs) {
        const type = TYPES[input.datatype];
        feeds[input.name] = new ort.Tensor(
          type,
          type === "int64" ? input.data.map(BigInt) : input.data,
          input.shape,
        );
      }
      const results = await session.run(feeds);
      const outputs = Object.entries(results).map(([name, tensor]) => ({
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
