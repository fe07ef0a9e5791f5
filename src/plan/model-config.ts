/**
 * The per-model `config.json` the server reads from `/models/<model>/config.json` (mounted from the
 * ConfigMap). This is the one function mapping ModelService props onto the server's config keys: align the
 * key names here when the server's config schema settles.
 */
import { isUnresolved, type Lazy } from "../lazy";

/** The server's model config, as the server names its keys. */
export interface ServerModelConfig {
  /** The model's name, as served under `/v2/models/<name>`. */
  readonly name: string;
  /** The model version this pod serves. */
  readonly version: number;
  /** sha256 the loaded `model.onnx` must have (lowercase hex). */
  readonly sha256?: string;
  /** Largest batch formed from concurrent requests; absent: no dynamic batching. */
  readonly maxBatchSize?: number;
  /** How long a request waits for its batch to fill, in microseconds. */
  readonly maxQueueDelayMicroseconds?: number;
}

export interface ModelConfigInput {
  readonly modelName: string;
  readonly version: number;
  readonly sha256: Lazy<string>;
  readonly batching?: { readonly maxBatchSize: number; readonly maxQueueDelayMs: number };
}

/**
 * Maps a model version's settings to the server's `config.json`. An unresolved sha256 is left out of the file
 * (the init container still verifies the download against it).
 */
export function serverModelConfig(input: ModelConfigInput): ServerModelConfig {
  return {
    name: input.modelName,
    version: input.version,
    ...(typeof input.sha256 === "string" && !isUnresolved(input.sha256) ? { sha256: input.sha256 } : {}),
    ...(input.batching
      ? {
          maxBatchSize: input.batching.maxBatchSize,
          maxQueueDelayMicroseconds: Math.round(input.batching.maxQueueDelayMs * 1000),
        }
      : {}),
  };
}

/** The config file's text: stable key order, two-space indentation, trailing newline. */
export function serverModelConfigJson(input: ModelConfigInput): string {
  return `${JSON.stringify(serverModelConfig(input), null, 2)}\n`;
}
