// Writes the demo model repository used by `npm start`: DIR/demo/1/model.onnx, a small MLP
// (4 inputs -> 16 hidden -> 3 scores, dynamic batch) with deterministic weights, built in code by
// server/testing/onnx-builder.ts. Usage: node scripts/make-demo-model.mjs [DIR] (default .demo/models).
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Name and layer sizes of the demo model (start-demo.mjs builds its curl line from these). */
export const DEMO_MODEL = { name: "demo", version: 1, sizes: [4, 16, 3] };

/** Writes the demo model under `repository` and returns the model file's path. */
export function makeDemoModel(repository = join(root, ".demo", "models")) {
  const { mlp } = require(join(root, "dist", "server", "testing", "onnx-builder.js"));
  const dir = join(repository, DEMO_MODEL.name, String(DEMO_MODEL.version));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "model.onnx");
  writeFileSync(file, mlp(DEMO_MODEL.sizes));
  return file;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = makeDemoModel(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`wrote ${file}\n`);
}
