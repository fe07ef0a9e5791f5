// REFERENCE for `npm run bench -- --bare`: dynamic batching and nothing else. Plain node:http, one
// onnxruntime session on a worker thread (default session options), the same scheduling idea as
// onnxfleet-server (a freed session takes the queued requests in order, up to 64 rows and while their
// dims after the first match, and holds back up to 10 ms for as many rows as its last batch plus those
// queued then; a failed batch answers each of its requests 400), and none of a server's other work: no
// validation beyond what it needs to run, no metrics, no request ids, no limits, no auth, no drain.
// What onnxfleet-server spends above this is the price of being a server; what this one reaches shows
// what the machine and the load generator leave to any batching server built this way.
//
// FP32 models, one-row or several-row requests, V2 JSON or the binary tensor extension (as the bench's
// naive server reads them). Usage: node bench/bare-batching-server.mjs <model.onnx> <port>
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { answerError, answerOutputs, serveInference } from "./v2-http.mjs";

const [modelPath, port] = process.argv.slice(2);
const MAX_BATCH_ROWS = 64;
const HOLD_BACK_MS = 10;

const worker = new Worker(
  `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.onnxruntime);
ort.InferenceSession.create(workerData.modelPath).then((session) => {
  parentPort.postMessage({ inputNames: session.inputNames, outputNames: session.outputNames });
  parentPort.on("message", async ({ feeds }) => {
    try {
      const tensors = {};
      for (const feed of feeds) tensors[feed.name] = new ort.Tensor("float32", feed.data, feed.dims);
      const results = await session.run(tensors);
      const outputs = session.outputNames.map((name) => ({ name, dims: results[name].dims, data: results[name].data }));
      parentPort.postMessage({ outputs }, [...new Set(outputs.map((output) => output.data.buffer))]);
    } catch (error) {
      parentPort.postMessage({ error: String(error.message) });
    }
  });
});`,
  {
    eval: true,
    workerData: { modelPath, onnxruntime: createRequire(import.meta.url).resolve("onnxruntime-node") },
  },
);
const { inputNames } = await new Promise((resolve) => worker.once("message", resolve));

/** Requests waiting: { rows, key (inputs' dims after the first), inputs: Map(name -> { dims, data }), binary, res }. */
let queue = [];
let queuedRows = 0;
let running;
let expectedRows = 0;
let holdUntil = 0;
let holdTimer;

function dispatch() {
  if (running !== undefined || queue.length === 0) return;
  const now = performance.now();
  if (queuedRows < expectedRows && now < holdUntil) {
    if (holdTimer === undefined) {
      holdTimer = setTimeout(() => {
        holdTimer = undefined;
        expectedRows = 0;
        dispatch();
      }, holdUntil - now);
    }
    return;
  }
  // The oldest request, then the next ones while they fit and have the same dims after the first.
  let rows = queue[0].rows;
  let count = 1;
  while (
    count < queue.length &&
    queue[count].key === queue[0].key &&
    rows + queue[count].rows <= MAX_BATCH_ROWS
  ) {
    rows += queue[count++].rows;
  }
  running = queue.slice(0, count);
  queue = queue.slice(count);
  queuedRows -= rows;
  const feeds = inputNames.map((name) => {
    const first = running[0].inputs.get(name);
    const data = new Float32Array((first.data.length / first.dims[0]) * rows);
    let offset = 0;
    for (const request of running) {
      data.set(request.inputs.get(name).data, offset);
      offset += request.inputs.get(name).data.length;
    }
    return { name, dims: [rows, ...first.dims.slice(1)], data };
  });
  worker.postMessage(
    { feeds },
    feeds.map((feed) => feed.data.buffer),
  );
}

worker.on("message", ({ outputs, error }) => {
  const batch = running;
  running = undefined;
  expectedRows = batch.reduce((sum, request) => sum + request.rows, 0) + queuedRows;
  holdUntil = performance.now() + HOLD_BACK_MS;
  if (error !== undefined) {
    for (const { res } of batch) answerError(res, 400, error);
    dispatch();
    return;
  }
  let row = 0;
  for (const request of batch) {
    const mine = outputs.map(({ name, dims, data }) => {
      const width = data.length / dims[0];
      return {
        name,
        datatype: "FP32",
        shape: [request.rows, ...dims.slice(1)],
        data: data.subarray(row * width, (row + request.rows) * width),
      };
    });
    row += request.rows;
    answerOutputs(request.res, request.modelName, mine, request.binary);
  }
  dispatch();
});

serveInference(port, ({ res, bytes, headerLength, body }) => {
  let offset = headerLength;
  const inputs = new Map();
  for (const input of body.inputs) {
    const size = input.parameters?.binary_data_size;
    let data;
    if (size === undefined) data = new Float32Array(input.data);
    else {
      // Copied into an array of its own: the bytes in the body need not be aligned.
      data = new Float32Array(size / 4);
      new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + size));
      offset += size;
    }
    inputs.set(input.name, { dims: input.shape, data });
  }
  const rows = body.inputs[0].shape[0];
  const binary = body.parameters?.binary_data_output === true;
  const key = body.inputs.map((input) => `${input.name}:${input.shape.slice(1)}`).join(";");
  queue.push({ rows, key, inputs, binary, res, modelName: body.model_name ?? "model" });
  queuedRows += rows;
  dispatch();
});
