// The two benchmark models, both MLPs over FP32 with a dynamic batch dimension, written as a model
// repository of its own (`<dir>/<model>/repository/<model>/1/model.onnx`) with the request bodies the load generator sends.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);

/** name -> layer sizes (input width first). */
export const BENCH_MODELS = {
  tiny: [64, 256, 10],
  wide: [1024, 4096, 4096, 1000],
};

/** Writes every model and a one-row V2 JSON request body for it; returns { name: { repository, modelPath, bodyFile, width } }. */
export function writeBenchModels(dir, names = Object.keys(BENCH_MODELS)) {
  const { mlp, deterministicValues } = require("../dist/server/testing/onnx-builder.js");
  const written = {};
  for (const name of names) {
    const sizes = BENCH_MODELS[name];
    const repository = join(dir, name, "repository");
    const versionDir = join(repository, name, "1");
    mkdirSync(versionDir, { recursive: true });
    const modelPath = join(versionDir, "model.onnx");
    writeFileSync(modelPath, mlp(sizes));
    const width = sizes[0];
    const data = Array.from(deterministicValues(width, 7, 1), (v) => Math.round(v * 1e4) / 1e4);
    const body = { inputs: [{ name: "input", shape: [1, width], datatype: "FP32", data }] };
    const bodyFile = join(dir, `${name}.request.json`);
    writeFileSync(bodyFile, JSON.stringify(body));
    written[name] = { repository, modelPath, bodyFile, width };
  }
  return written;
}
