/** The one module that imports onnxruntime-node: sessions, metadata in V2 terms, tensor conversion. */
export type { ModelSignature, TensorMetadata } from "./metadata";
export {
  EXECUTION_PROVIDERS,
  type ExecutionProvider,
  ModelLoadError,
  ModelSession,
  type SessionOptions,
} from "./session";
export { stopWorkerThreads, workerThreadsBusy } from "./worker-session";
