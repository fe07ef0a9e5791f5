/**
 * Dynamic batching settings of one model version: server-wide defaults (flags and environment) overridden
 * per model by the `batching` section of its `config.json`.
 */
import { SERVER_BATCHING_DEFAULTS } from "../../src/plan/server-contract";
import { show } from "../../src/validate";

/** How one model version's requests are queued and joined into batches. */
export interface BatchingOptions {
  /**
   * Most rows (dim 0 summed over the joined requests) one run holds. A request with more rows is refused
   * with 400. `1` turns batching off: every request runs alone, whatever its row count (still queued).
   * @default 64
   */
  readonly maxBatchSize: number;
  /**
   * Longest an idle instance holds a partial batch back, waiting for requests that recent traffic says are
   * coming (see docs/server.md). A lone request never waits. `0` never holds back.
   * @default 10000
   */
  readonly maxQueueDelayMicroseconds: number;
  /** Most requests waiting (not yet running) per model version; more are refused at once with 503. @default 1024 */
  readonly maxQueueSize: number;
  /** A request that waited longer than this in the queue gets 503 and is not run; `0` waits without limit. @default 10000 */
  readonly queueTimeoutMs: number;
}

/** Defaults chosen by measurement (docs/server.md shows the numbers), owned by the core-server contract module. */
export const DEFAULT_BATCHING_OPTIONS: BatchingOptions = { ...SERVER_BATCHING_DEFAULTS };

/** Inclusive bounds of each setting: enough to catch typos and units mistaken by 1000x. */
export const BATCHING_OPTION_LIMITS: Readonly<Record<keyof BatchingOptions, readonly [number, number]>> = {
  maxBatchSize: [1, 65_536],
  maxQueueDelayMicroseconds: [0, 10_000_000],
  maxQueueSize: [1, 1_000_000],
  queueTimeoutMs: [0, 3_600_000],
};

export const BATCHING_OPTION_KEYS = Object.keys(BATCHING_OPTION_LIMITS) as (keyof BatchingOptions)[];

/** Problems with one batching setting's value, or undefined when it is a whole number within its limits. */
export function batchingOptionProblem(key: keyof BatchingOptions, value: unknown): string | undefined {
  const [min, max] = BATCHING_OPTION_LIMITS[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    return `${key} must be a whole number from ${min} to ${max}, got ${show(value)}`;
  }
  return undefined;
}

/**
 * Reads the `batching` section of a model's `config.json`: the settings it overrides (merged over the
 * server-wide defaults when the model loads), or every problem found (unknown keys, wrong types, values
 * out of range), each naming the key.
 */
export function readBatchingSection(
  section: unknown,
): { readonly options: Partial<BatchingOptions> } | { readonly problems: readonly string[] } {
  if (typeof section !== "object" || section === null || Array.isArray(section)) {
    return { problems: [`batching must be an object, got ${show(section)}`] };
  }
  const problems: string[] = [];
  const options: Record<string, number> = {};
  for (const [key, value] of Object.entries(section)) {
    if (!(BATCHING_OPTION_KEYS as string[]).includes(key)) {
      problems.push(`batching.${key} is not a batching setting (known: ${BATCHING_OPTION_KEYS.join(", ")})`);
      continue;
    }
    const problem = batchingOptionProblem(key as keyof BatchingOptions, value);
    if (problem) problems.push(`batching.${problem}`);
    else options[key] = value as number;
  }
  return problems.length > 0 ? { problems } : { options };
}
