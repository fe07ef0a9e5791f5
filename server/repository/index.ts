export { RepositoryError } from "./errors";
export { DEFAULT_MODEL_CONFIG, type ModelConfig, parseModelConfig, type VersionPolicy } from "./model-config";
export {
  defaultExecutorFactory,
  type ExecutorContext,
  type ExecutorFactory,
  ModelRepository,
  type ModelRepositoryOptions,
  type ModelVersion,
  type ServedModel,
  type VersionLoadedEvent,
  type VersionWarningEvent,
} from "./repository";
export { MODEL_CONFIG_FILE, MODEL_FILE, MODEL_NAME_PATTERN } from "./scan";
