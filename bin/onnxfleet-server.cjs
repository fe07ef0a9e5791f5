#!/usr/bin/env node
"use strict";
// The bundled inference server: `onnxfleet-server --model-repository DIR` (see README.md).
require("../dist/server/main.js")
  .main(process.argv.slice(2))
  .catch((error) => {
    process.stderr.write(`onnxfleet-server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
