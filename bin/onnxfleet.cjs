#!/usr/bin/env node
"use strict";
// The onnxfleet CLI: `onnxfleet render FILE`, `plan FILE` and friends (see docs/constructs.md). `profile` runs
// the server, so it lives on the server side (dist/server/profile) and the core CLI stays free of it.
const argv = process.argv.slice(2);
if (argv[0] === "--version") {
  process.stdout.write(`${require("../package.json").version}\n`);
  process.exit(0);
}
const entry =
  argv[0] === "profile"
    ? () => require("../dist/server/profile/cli.js").main(argv.slice(1))
    : () => require("../dist/src/cli/main.js").main(argv);
entry()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    process.stderr.write(`onnxfleet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
