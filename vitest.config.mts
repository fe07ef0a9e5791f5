import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Test files that time real processes on the machine's cores; see the "alone" project below. */
const MEASURES_THE_MACHINE = ["test/e2e/capacity-prediction.test.ts"];

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; tests run them against the source (tsconfig.json maps
    // the same names for the type-check).
    alias: [
      { find: /^onnxfleet$/, replacement: source("./src/index.ts") },
      { find: /^onnxfleet\/pulumi$/, replacement: source("./constructs/pulumi/index.ts") },
      { find: /^onnxfleet\/cdktf$/, replacement: source("./constructs/cdktf/index.ts") },
      { find: /^onnxfleet\/pulumi\/testing$/, replacement: source("./constructs/pulumi/testing.ts") },
    ],
  },
  test: {
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: MEASURES_THE_MACHINE,
        },
      },
      {
        // Tests whose verdict is a measurement of CPU time (a replica's capacity, profiled and then driven)
        // run one file at a time while no other test file runs: vitest gives the files of a project without
        // file parallelism a group of their own (checked: with --maxWorkers 3, two files of "suite" ran
        // together and this project's file only once both had finished). Beside other files' workers, the
        // profile and the drive see different machines (CI run of 2026-12-02: the profile under-read a
        // replica by more than 30 % and one replica carried the "peak").
        extends: true,
        test: {
          name: "alone",
          include: MEASURES_THE_MACHINE,
          fileParallelism: false,
        },
      },
    ],
  },
});
