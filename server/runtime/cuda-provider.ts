/**
 * Start-up check for `--execution-provider cuda`: onnxruntime-node loads its CUDA provider
 * (`libonnxruntime_providers_cuda.so`, with `libonnxruntime_providers_shared.so`) from the directory of its
 * native binding only when a session asks for it. The npm package does not bundle those libraries
 * (`listSupportedBackends()` reports `cuda` with `bundled: false`); its install script downloads them with
 * `ONNXRUNTIME_NODE_INSTALL=cuda12`. Without them every model load fails, the pod never becomes ready and the
 * rollout times out in a probe loop. Checking the files at start turns that into an exit with a message that
 * `kubectl describe` shows.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { serverImageTag } from "../../src/server-image";

/** The CUDA execution provider's library, then the shared provider bridge it needs. */
export const CUDA_PROVIDER_LIBRARIES = [
  "libonnxruntime_providers_cuda.so",
  "libonnxruntime_providers_shared.so",
] as const;

/** Thrown at start when `--execution-provider cuda` cannot work in this installation. */
export class CudaProviderUnavailableError extends Error {
  override readonly name = "CudaProviderUnavailableError";
}

/** The directory onnxruntime-node loads its binding and provider libraries from (its dist/binding.js). */
export function onnxruntimeBinaryDirectory(): string {
  const main = createRequire(__filename).resolve("onnxruntime-node");
  return join(dirname(main), "..", "bin", "napi-v6", process.platform, process.arch);
}

/** What the installation lacks for the CUDA provider, in words; undefined when it is all there. */
export function missingCudaProvider(directory: string = onnxruntimeBinaryDirectory()): string | undefined {
  const backend = ort.listSupportedBackends().find((b) => b.name === "cuda");
  if (backend === undefined) {
    return `onnxruntime-node has no CUDA provider for ${process.platform}/${process.arch} (its backends: ${ort
      .listSupportedBackends()
      .map((b) => b.name)
      .join(", ")})`;
  }
  const missing = CUDA_PROVIDER_LIBRARIES.filter((file) => !existsSync(join(directory, file)));
  if (missing.length === 0) return undefined;
  return `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} missing from ${directory}`;
}

/**
 * Throws {@link CudaProviderUnavailableError} naming the missing library, the directory looked in and the
 * CUDA image, when the CUDA provider's libraries are absent. A GPU or driver problem behind present libraries
 * still surfaces as the model load's own error.
 */
export function assertCudaProviderInstalled(directory?: string): void {
  const missing = missingCudaProvider(directory);
  if (missing === undefined) return;
  throw new CudaProviderUnavailableError(
    `--execution-provider cuda cannot work here: ${missing}. This is the CPU build of onnxruntime-node ` +
      `(the CPU image, or an install with ONNXRUNTIME_NODE_INSTALL=skip). Run the CUDA image ` +
      `${serverImageTag("cuda")} (server/Dockerfile.cuda), or install onnxruntime-node with ` +
      `ONNXRUNTIME_NODE_INSTALL=cuda12, or use --execution-provider cpu.`,
  );
}
