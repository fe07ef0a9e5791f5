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

/**
 * Writes every model and two one-row V2 request bodies for it: JSON (`bodyFile`) and the binary tensor
 * extension (`binaryBodyFile`: a JSON header of `binaryHeaderLength` bytes asking for binary outputs, then
 * the row's FP32 bytes). Returns { name: { repository, modelPath, bodyFile, binaryBodyFile, binaryHeaderLength, width } }.
 */
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
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "input", shape: [1, width], datatype: "FP32", parameters: { binary_data_size: width * 4 } },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    const binaryBodyFile = join(dir, `${name}.request.bin`);
    writeFileSync(binaryBodyFile, Buffer.concat([header, Buffer.from(Float32Array.from(data).buffer)]));
    written[name] = {
      repository,
      modelPath,
      bodyFile,
      binaryBodyFile,
      binaryHeaderLength: header.length,
      width,
    };
  }
  return written;
}
