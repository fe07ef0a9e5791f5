#!/usr/bin/env node
"use strict";
// The bundled inference server: `onnxfleet-server --model-repository DIR` (see docs/server.md).
const argv = process.argv.slice(2);
if (argv[0] === "--version") {
  process.stdout.write(`${require("../package.json").version}\n`);
  process.exit(0);
}
let server;
try {
  server = require("../dist/server/main.js");
} catch (error) {
  // The server's runtime is an optional peer dependency of the package (README.md, "What the install adds").
  const missing =
    error && error.code === "MODULE_NOT_FOUND" && /Cannot find module '([^']+)'/.exec(error.message);
  if (missing && !missing[1].startsWith(".") && !missing[1].startsWith("/")) {
    process.stderr.write(
      `onnxfleet-server: ${missing[1]} is not installed. The server's runtime is not installed with onnxfleet; ` +
        "install it beside it:\n  npm install onnxruntime-node fastify pino prom-client @aws-sdk/client-s3 onnx-proto\n" +
        "or run the server image (docs/image.md).\n",
    );
    process.exit(1);
  }
  throw error;
}
server.main(argv).catch((error) => {
  process.stderr.write(`onnxfleet-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
