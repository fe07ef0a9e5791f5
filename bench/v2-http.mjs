// The HTTP side of the bench's hand-written servers (naive-server.mjs, the baseline, and
// bare-batching-server.mjs, the reference): plain node:http, the Open Inference Protocol's JSON request
// and response and, when the request says so, the binary tensor extension (a JSON header of
// Inference-Header-Content-Length bytes, then the raw tensors).
import { createServer } from "node:http";

/** Answers `res` with `status` and a JSON `{ "error": message }` body. */
export function answerError(res, status, message) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: message }));
}

/**
 * Answers an inference request with `outputs` ({ name, datatype, shape, data: a typed array }): as V2 JSON
 * (`data` arrays), or with `binary` as the binary tensor extension (a JSON header, then each output's bytes).
 */
export function answerOutputs(res, modelName, outputs, binary) {
  const described = outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape }));
  if (binary) {
    const header = Buffer.from(
      JSON.stringify({
        model_name: modelName,
        outputs: described.map((output, i) => ({
          ...output,
          parameters: { binary_data_size: outputs[i].data.byteLength },
        })),
      }),
    );
    const tensors = outputs.map(({ data }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "inference-header-content-length": header.length,
    });
    res.end(Buffer.concat([header, ...tensors]));
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      model_name: modelName,
      outputs: described.map((output, i) => ({ ...output, data: Array.from(outputs[i].data, Number) })),
    }),
  );
}

/**
 * Listens on 127.0.0.1:`port`. GET /v2/health/ready answers 200 (other GETs 404); every other request's
 * body is read and its JSON header parsed, then `handle({ res, bytes, headerLength, body })` runs (it may
 * be async). A request that fails there, or that the handler throws on, gets 400 with the error.
 */
export function serveInference(port, handle) {
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
        await handle({ res, bytes, headerLength, body });
      } catch (error) {
        answerError(res, 400, String(error.message));
      }
    });
  });
  server.listen(Number(port), "127.0.0.1", () => process.send?.("listening"));
  process.on("SIGINT", () => process.exit(0));
}
