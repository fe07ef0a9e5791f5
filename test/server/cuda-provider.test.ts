/**
 * `--execution-provider cuda` where onnxruntime-node's CUDA provider is not installed (#15 item 1): the
 * server exits non-zero at start, naming the missing library, the directory it looked in and the CUDA image,
 * instead of listening with models that never load (a readiness-probe loop until the rollout times out).
 * This machine has onnxruntime-node's CPU build only, as the CPU image does.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertCudaProviderInstalled,
  CUDA_PROVIDER_LIBRARIES,
  CudaProviderUnavailableError,
  missingCudaProvider,
} from "../../server/runtime";
import { onnxruntimeBinaryDirectory } from "../../server/runtime/cuda-provider";
import { mlp } from "../../server/testing/onnx-builder";
import { VERSION } from "../../src/version";
import { tempDir } from "./fetch-helpers";
import { writeRepository } from "./helpers";

const BIN = new URL("../../bin/onnxfleet-server.cjs", import.meta.url).pathname;
const CUDA_IMAGE = `ghcr.io/onnxfleet/onnxfleet-server:${VERSION}-cuda12`;
let root: string;
beforeAll(() => {
  root = writeRepository({ small: { versions: { 1: mlp([4, 8, 3]) } } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("onnxfleet-server --execution-provider cuda without the CUDA provider", () => {
  it("this machine's onnxruntime-node has no CUDA provider library (the premise)", () => {
    expect(existsSync(join(onnxruntimeBinaryDirectory(), "onnxruntime_binding.node"))).toBe(true);
    expect(existsSync(join(onnxruntimeBinaryDirectory(), "libonnxruntime_providers_cuda.so"))).toBe(false);
    expect(() => assertCudaProviderInstalled()).toThrow(CudaProviderUnavailableError);
  });

  it("exits 1 at start; stderr names the library, where it looked and the CUDA image", () => {
    // A server that started anyway would keep running: spawnSync kills it at the timeout (status null).
    const began = Date.now();
    const run = spawnSync(
      process.execPath,
      [
        BIN,
        "--model-repository",
        root,
        "--host",
        "127.0.0.1",
        "--http-port",
        "0",
        "--execution-provider",
        "cuda",
      ],
      { encoding: "utf8", timeout: 45_000 },
    );
    const seconds = (Date.now() - began) / 1000;
    expect(run.status, `signal ${run.signal} after ${seconds}s; stderr: ${run.stderr}`).toBe(1);
    expect(run.stderr).toContain("libonnxruntime_providers_cuda.so");
    expect(run.stderr).toContain(`missing from ${onnxruntimeBinaryDirectory()}`);
    expect(run.stderr).toContain(CUDA_IMAGE);
    expect(run.stderr).toContain("--execution-provider cpu");
    // It never got as far as listening or loading a model.
    expect(run.stdout).not.toContain("model loaded");
    expect(run.stdout).not.toContain("Server listening");
  });
});

describe("missingCudaProvider", () => {
  it("names each library a directory lacks, and nothing once both are there", () => {
    const { dir, remove } = tempDir("cuda-provider");
    try {
      expect(missingCudaProvider(dir)).toBe(
        `libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so are missing from ${dir}`,
      );
      writeFileSync(join(dir, CUDA_PROVIDER_LIBRARIES[0]), "");
      expect(missingCudaProvider(dir)).toBe(`libonnxruntime_providers_shared.so is missing from ${dir}`);
      writeFileSync(join(dir, CUDA_PROVIDER_LIBRARIES[1]), "");
      expect(missingCudaProvider(dir)).toBeUndefined();
      expect(() => assertCudaProviderInstalled(dir)).not.toThrow();
    } finally {
      remove();
    }
  });
});
