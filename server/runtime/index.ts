/** The one module that imports onnxruntime-node: sessions, metadata in V2 terms, tensor conversion. */
export {
  assertCudaProviderInstalled,
  CUDA_PROVIDER_LIBRARIES,
  CudaProviderUnavailableError,
  missingCudaProvider,
} from "./cuda-provider";
export type { ModelSignature, TensorMetadata } from "./metadata";
export {
  EXECUTION_PROVIDERS,
  type ExecutionProvider,
  ModelLoadError,
  ModelSession,
  type SessionOptions,
} from "./session";
export { stopWorkerThreads, workerThreadsBusy } from "./worker-session";
