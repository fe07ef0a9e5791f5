// `npm start`: makes the demo model repository if missing (.demo/models, gitignored), starts the built
// server (dist/server/main.js) on port 8000 in the foreground, and prints a curl line that returns a
// prediction. Set ONNXFLEET_HTTP_PORT to use another port. Stop with Ctrl-C.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_MODEL, makeDemoModel } from "./make-demo-model.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const serverMain = join(root, "dist", "server", "main.js");
if (!existsSync(serverMain)) {
  process.stderr.write("dist/server/main.js is missing: run `npm run build` (npm start runs it for you).\n");
  process.exit(1);
}

const repository = join(root, ".demo", "models");
const modelFile = join(repository, DEMO_MODEL.name, String(DEMO_MODEL.version), "model.onnx");
if (!existsSync(modelFile)) process.stdout.write(`made demo model ${makeDemoModel(repository)}\n`);

const { main } = require(serverMain);
const server = await main([
  "--model-repository",
  repository,
  "--http-port",
  process.env.ONNXFLEET_HTTP_PORT ?? "8000",
  "--host",
  process.env.ONNXFLEET_HOST ?? "localhost",
  "--log-level",
  process.env.ONNXFLEET_LOG_LEVEL ?? "warn",
]);
const port = new URL(server.url).port; // main() returns the running server (undefined only for --help)

const request = {
  inputs: [
    {
      name: "input",
      shape: [2, DEMO_MODEL.sizes[0]],
      datatype: "FP32",
      data: [
        [5.1, 3.5, 1.4, 0.2],
        [6.7, 3.0, 5.2, 2.3],
      ],
    },
  ],
};
process.stdout.write(
  [
    "",
    `onnxfleet-server is serving model "${DEMO_MODEL.name}" from ${repository} at http://localhost:${port}`,
    "Ask it for a prediction:",
    "",
    `curl -s -X POST http://localhost:${port}/v2/models/${DEMO_MODEL.name}/infer -H 'Content-Type: application/json' -d '${JSON.stringify(request)}'`,
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n"),
);
