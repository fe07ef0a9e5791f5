/** Dynamic batching: one batcher per model version, wrapping the model's instances. */
export { type Batchability, type BatchableSignature, batchability } from "./batchable";
export { type BatcherStats, type BatchRunner, DynamicBatcher, type DynamicBatcherOptions } from "./batcher";
export {
  BatchingError,
  BatchRequestError,
  BytesElementsError,
  ClientGoneError,
  QueueFullError,
  QueueTimeoutError,
  ShuttingDownError,
} from "./errors";
export { batchingExecutorFactory, type ServerBatchingSettings } from "./executor-factory";
export {
  AUTO_WORKER_THRESHOLD_MS,
  BATCHING_CONFIG_FIELDS,
  INSTANCE_THREADS,
  type InstanceThread,
  type ModelBatchingConfig,
} from "./model-settings";
export {
  BATCHING_OPTION_KEYS,
  BATCHING_OPTION_LIMITS,
  type BatchingOptions,
  batchingOptionProblem,
  DEFAULT_BATCHING_OPTIONS,
  readBatchingSection,
} from "./options";
export { concatRows, rowElements, sliceRows } from "./rows";
