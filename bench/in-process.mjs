// The in-process limit for `npm run bench`: onnxruntime-node alone, no HTTP, one session, running batches of
// each size back to back. Prints one JSON line: rows/s per batch size.
//
// Usage: node bench/in-process.mjs <model.onnx> <inputWidth> <secondsPerBatchSize> <batch sizes> <spinning>
//   spinning: "default" (onnxruntime's defaults: intra-op threads spin) or "off" (no spinning: onnxfleet-server's sessions on the main thread, or --intra-op-spinning off)
import * as ort from "onnxruntime-node";

const [modelPath, width, seconds, sizes, spinning] = process.argv.slice(2);
const options = spinning === "off" ? { extra: { session: { intra_op: { allow_spinning: "0" } } } } : {};
const session = await ort.InferenceSession.create(modelPath, options);
const results = [];
for (const batch of sizes.split(",").map(Number)) {
  const data = new Float32Array(batch * Number(width)).map((_, i) => Math.sin(i));
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data, [batch, Number(width)]) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  let runs = 0;
  const start = performance.now();
  const until = start + Number(seconds) * 1000;
  while (performance.now() < until || runs < 3) {
    await session.run(feeds);
    runs++;
  }
  const elapsed = (performance.now() - start) / 1000;
  results.push({ batch, rowsPerSec: (runs * batch) / elapsed, msPerRun: (elapsed * 1000) / runs });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
