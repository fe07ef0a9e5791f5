#!/usr/bin/env node
"use strict";
// The onnxfleet CLI: `onnxfleet render FILE` and friends (see README.md).
require("../dist/src/cli/main.js")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    process.stderr.write(`onnxfleet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
