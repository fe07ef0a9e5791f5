/**
 * The per-model `config.json` the server reads from `/models/<model>/config.json` (mounted from the
 * ConfigMap). This is the one function mapping ModelService props onto the server's config keys: align the
 * key names here when the server's config schema settles.
 */
import { isUnresolved, type Lazy } from "../lazy";

/**
 * The server's model config (`server/repository/model-config.ts` parses it; a contract test feeds this
 * function's output to that parser). One pod serves one version, so the policy names exactly that version.
 */
export interface ServerModelConfig {
  /** The version this pod serves: `{ specific: [version] }`. */
  readonly versionPolicy: { readonly specific: readonly number[] };
  /** sha256 the loaded `model.onnx` must have (lowercase hex); the server re-checks it at load. */
  readonly sha256?: string;
  /** Dynamic batching of concurrent requests: always the effective values, never left to a default. */
  readonly batching: {
    /** Largest batch formed from concurrent requests, in rows. */
    readonly maxBatchSize: number;
    /** How long a freed instance may hold a partial batch back for more requests, in microseconds. */
    readonly maxQueueDelayMicroseconds: number;
  };
}

export interface ModelConfigInput {
  readonly version: number;
  readonly sha256: Lazy<string>;
  readonly batching: { readonly maxBatchSize: number; readonly maxQueueDelayMs: number };
}

/**
 * Maps a model version's settings to the server's `config.json`. An unresolved sha256 is left out of the file
 * (the init container still verifies the download against it).
 */
export function serverModelConfig(input: ModelConfigInput): ServerModelConfig {
  return {
    versionPolicy: { specific: [input.version] },
    ...(typeof input.sha256 === "string" && !isUnresolved(input.sha256) ? { sha256: input.sha256 } : {}),
    batching: {
      maxBatchSize: input.batching.maxBatchSize,
      maxQueueDelayMicroseconds: Math.round(input.batching.maxQueueDelayMs * 1000),
    },
  };
}

/** The config file's text: stable key order, two-space indentation, trailing newline. */
export function serverModelConfigJson(input: ModelConfigInput): string {
  return `${JSON.stringify(serverModelConfig(input), null, 2)}\n`;
}
