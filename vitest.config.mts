import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
