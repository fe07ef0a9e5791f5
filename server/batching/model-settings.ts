/**
 * The per-model `config.json` keys of batching and instances, with their parsers. Each falls back to the
 * server-wide flag of the same name when absent:
 *
 * ```json
 * {
 *   "batching": { "maxBatchSize": 32, "maxQueueDelayMicroseconds": 1000, "maxQueueSize": 256, "queueTimeoutMs": 5000 },
 *   "instances": 1,
 *   "instanceThread": "auto",
 *   "intraOpThreads": 0,
 *   "intraOpSpinning": "auto"
 * }
 * ```
 */
import { show } from "../../src/validate";
import { RepositoryError } from "../repository/errors";
import { type BatchingOptions, readBatchingSection } from "./options";

/**
 * Where a model's instances run onnxruntime: a worker thread each, the event loop's own thread, or `auto`:
 * the main thread only when a run at the largest shape a request may have takes under
 * {@link AUTO_WORKER_THRESHOLD_MS} (measured at load, see `instance-thread.ts`; a thread hop costs more than
 * such a run blocks the event loop), else a worker thread.
 */
export type InstanceThread = "auto" | "worker" | "main";

export const INSTANCE_THREADS: readonly InstanceThread[] = ["auto", "worker", "main"];

/**
 * Whether onnxruntime's intra-op threads busy-wait (spin) between operators instead of sleeping: `auto`
 * spins for sessions on worker threads (long runs, where waking sleeping threads at every operator
 * costs throughput) and not for sessions on the main thread (where a spinning thread would take the
 * CPU the event loop needs between short runs). See docs/server.md for the measurements.
 */
export type IntraOpSpinning = "auto" | "on" | "off";

export const INTRA_OP_SPINNING: readonly IntraOpSpinning[] = ["auto", "on", "off"];

/** Whether sessions on `thread` spin under the `setting`. */
export function spinsOn(setting: IntraOpSpinning, thread: "worker" | "main"): boolean {
  return setting === "on" || (setting === "auto" && thread === "worker");
}

/**
 * The intra-op threads of a session on `thread` for the `setting` (`--intra-op-threads`, or a model's
 * `intraOpThreads`): 0 lets onnxruntime choose (a thread per core) on worker threads, but means one thread
 * on the main thread. A run there is short by design (under {@link AUTO_WORKER_THRESHOLD_MS} with `auto`),
 * and a pool that does not spin (see {@link spinsOn}) wakes its threads for each operator: on the bench's
 * tiny model at one connection, 0.86x the naive server's requests/s with onnxruntime's pool against 0.90x
 * and 0.94x with one thread (docs/benchmark.md). A pool's threads also compete with the event loop for cores.
 */
export function intraOpThreadsOn(setting: number, thread: "worker" | "main"): number {
  return setting === 0 && thread === "main" ? 1 : setting;
}

/** Run time at the largest shape from which `auto` puts instances on worker threads (see docs/server.md). */
export const AUTO_WORKER_THRESHOLD_MS = 1;

/** Batching and instance settings of one model, as given in its config.json (absent: the server's flags). */
export interface ModelBatchingConfig {
  /** Overrides of the server-wide batching flags. @default - the flags' values */
  readonly batching?: Partial<BatchingOptions>;
  /** Sessions of each version; each runs one batch at a time. @default - `--instances` */
  readonly instances?: number;
  /** Where the sessions run. @default - `--instance-thread` */
  readonly instanceThread?: InstanceThread;
  /** onnxruntime threads inside one operator, per session; 0: one on the main thread, onnxruntime's choice on workers. @default - `--intra-op-threads` */
  readonly intraOpThreads?: number;
  /** Whether those threads spin between operators. @default - `--intra-op-spinning` */
  readonly intraOpSpinning?: IntraOpSpinning;
}

function wholeNumber(key: string, min: number, max: number) {
  return (value: unknown, where: string): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new RepositoryError(
        `${where}: ${key} must be a whole number from ${min} to ${max}, got ${show(value)}`,
      );
    }
    return value;
  };
}

function oneOf<T extends string>(key: string, choices: readonly T[]) {
  return (value: unknown, where: string): T => {
    if (!(choices as readonly unknown[]).includes(value)) {
      throw new RepositoryError(
        `${where}: ${key} must be one of ${choices.map((choice) => `"${choice}"`).join(", ")}, got ${show(value)}`,
      );
    }
    return value as T;
  };
}

/** Parsers of the batching keys, for the config.json field table. */
export const BATCHING_CONFIG_FIELDS: Readonly<
  Record<keyof ModelBatchingConfig, (value: unknown, where: string) => unknown>
> = {
  batching: (value, where) => {
    const result = readBatchingSection(value);
    if ("problems" in result) throw new RepositoryError(`${where}: ${result.problems.join("; ")}`);
    return result.options;
  },
  instances: wholeNumber("instances", 1, 64),
  instanceThread: oneOf("instanceThread", INSTANCE_THREADS),
  intraOpThreads: wholeNumber("intraOpThreads", 0, 1024),
  intraOpSpinning: oneOf("intraOpSpinning", INTRA_OP_SPINNING),
};
