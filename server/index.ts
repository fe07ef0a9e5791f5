/** `onnxfleet/server`: the bundled Open Inference Protocol server, as a library. */
export { type AppOptions, buildApp } from "./app";
export {
  BatchingError,
  type BatchingOptions,
  BatchRequestError,
  batchingExecutorFactory,
  DEFAULT_BATCHING_OPTIONS,
  DynamicBatcher,
  type InstanceThread,
  QueueFullError,
  QueueTimeoutError,
  type ServerBatchingSettings,
  ShuttingDownError,
} from "./batching";
export {
  CONFIG_SCHEMA,
  ConfigError,
  configTableMarkdown,
  envVarOf,
  loadConfig,
  type OptionSpec,
  type ServerConfig,
} from "./config";
export type { InferenceExecutor } from "./executor";
export {
  FETCH_ERROR_CODES,
  FetchError,
  type FetchOptions,
  type FetchRequest,
  type FetchResult,
  fetchModel,
  fetchModels,
  sha256File,
  verifySha256File,
} from "./fetch";
export { main, type RunningServer, type StartOptions, start } from "./main";
export { METRIC_NAMES, type ModelMetrics } from "./metrics";
export { ProtocolError } from "./protocol/errors";
export {
  defaultExecutorFactory,
  type ExecutorContext,
  type ExecutorFactory,
  type ModelConfig,
  ModelRepository,
  type ModelRepositoryOptions,
  RepositoryError,
  type VersionWarningEvent,
} from "./repository";
export type { ModelSignature, TensorMetadata } from "./runtime/metadata";
export type { ModelSource } from "./runtime/session";
export { DATATYPES, type Datatype, type Tensor } from "./tensor";
