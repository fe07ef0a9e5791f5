/**
 * Where onnxruntime runs a model (`--execution-provider`). Kept apart from the session module so that reading
 * the command line does not load onnxruntime-node.
 * - `cpu`: onnxruntime's CPU provider (the CPU image).
 * - `cuda`: onnxruntime-node's CUDA 12 provider (the CUDA image, server/Dockerfile.cuda).
 * - `webgpu`: Dawn over Vulkan, bundled in onnxruntime-node for linux/x64 (`listSupportedBackends()` reports
 *   it bundled); it needs a Vulkan driver the process can see (see `webGpuLoadHint` in ./session).
 */
export const EXECUTION_PROVIDERS = ["cpu", "cuda", "webgpu"] as const;

/** One of {@link EXECUTION_PROVIDERS}. */
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
