/**
 * Where `--instance-thread auto` runs a model's instances. The main thread is only for runs proven cheap
 * for every shape a request may have, since a run there blocks the event loop and no deadline can stop
 * it (docs/server-faults.md):
 * - no BYTES tensor (a string's length, and so a run's cost, is not bounded by the shape);
 * - every input and output dimension fixed, except the first one of a batchable model, which the
 *   batcher bounds by maxBatchSize (above 1);
 * - the warm-up at that largest shape runs (a synthesised one may fail: then a worker) in under
 *   {@link AUTO_WORKER_THRESHOLD_MS} (see {@link fastestRunMs} for how a run is timed).
 * Everything else (dynamic image sizes or sequence lengths, batching off, outputs whose size depends on
 * the data) runs on worker threads, where `--inference-timeout-ms` applies.
 */
import type { ModelSignature } from "../runtime/metadata";
import { type NumericDatatype, type Tensor, TYPED_ARRAY_OF } from "../tensor";
import { AUTO_WORKER_THRESHOLD_MS } from "./model-settings";

/**
 * The rows to time a main-thread candidate at, or why it must run on a worker: `rows` is undefined for a
 * model without a dynamic first dimension (its one shape is the signature's).
 */
export function mainThreadCandidate(
  signature: ModelSignature,
  batchable: boolean,
  maxBatchSize: number,
): { readonly rows: number | undefined } | { readonly reason: string } {
  const tensors = [...signature.inputs, ...signature.outputs];
  const bytes = tensors.find((tensor) => tensor.datatype === "BYTES");
  if (bytes !== undefined) return { reason: `"${bytes.name}" is BYTES, whose cost no shape bounds` };
  const bounded = batchable && maxBatchSize > 1;
  for (const tensor of tensors) {
    const free = tensor.shape.findIndex((dim, axis) => dim < 0 && !(axis === 0 && bounded));
    if (free >= 0) {
      return {
        reason: `"${tensor.name}" has a dynamic dimension (${free === 0 ? "the first, unbounded with batching off" : `axis ${free}`}), so no run size is bounded`,
      };
    }
  }
  return { rows: bounded ? maxBatchSize : undefined };
}

/** Synthesised inputs at `rows` rows (zeros, every dynamic first dim set to `rows`). */
export function inputsAtRows(warmup: readonly Tensor[], rows: number | undefined): Tensor[] {
  if (rows === undefined) return [...warmup];
  return warmup.map((tensor) => {
    const shape = [rows, ...tensor.shape.slice(1)];
    const perRow = tensor.shape.slice(1).reduce((product, dim) => product * dim, 1);
    const data = new TYPED_ARRAY_OF[tensor.datatype as NumericDatatype](rows * perRow);
    return { ...tensor, shape, data } as Tensor;
  });
}

/** The clocks a run is timed with, in ms: wall time and, for runs that compute on the CPU, CPU time. */
export interface RunClock {
  wallMs(): number;
  /** CPU time spent running; absent where a run may wait rather than compute (a GPU's). */
  cpuMs?(): number;
}

/** Wall time only: runs on a GPU, which block the calling thread while it waits for the device. */
export const WALL_CLOCK: RunClock = { wallMs: () => performance.now() };

/**
 * Wall time and the CPU time of every thread of the process (`process.cpuUsage()`; it also counts other
 * work running meanwhile, which errs towards a worker thread): runs on the CPU. (`process.threadCpuUsage()`
 * is no use here: on Linux it moves in scheduler ticks, and read 0.08 ms of CPU for 0.67 ms of computing.)
 */
export const CPU_RUN_CLOCK: RunClock = {
  wallMs: () => performance.now(),
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
};

/** Runs timed at least, and at most while the timing has taken under {@link TIMING_BUDGET_MS}. */
const MIN_RUNS = 3;
const MAX_RUNS = 20;
const TIMING_BUDGET_MS = 50;

/**
 * What one run of `inputs()` with `run` costs, in ms, or undefined when a run fails: the fastest of a few
 * runs (3, up to 20 while they take under 50 ms in all), each counted as the lesser of its wall time and
 * the CPU time the process spent meanwhile (wall time alone with a clock without CPU time).
 *
 * The cost of the model, not of the machine at load time: wall time alone swells when other processes
 * share the cores (a 0.14 ms run timed at 2.5 ms on a loaded 2-core machine, which sent a cheap model to
 * a worker thread and cost every request a thread hop), and CPU time does not grow while the thread
 * waits for a core; wall time stays the bound when the CPU clock counts several threads (their CPU time
 * adds up, the event loop is blocked for the wall time). A GPU run is timed by the wall clock only: its
 * thread waits for the device, blocked, at little CPU cost.
 */
export async function fastestRunMs(
  run: (inputs: readonly Tensor[]) => Promise<unknown>,
  inputs: () => readonly Tensor[],
  clock: RunClock,
): Promise<number | undefined> {
  let fastest = Number.POSITIVE_INFINITY;
  const began = clock.wallMs();
  for (let attempt = 0; attempt < MAX_RUNS; attempt++) {
    if (attempt >= MIN_RUNS && clock.wallMs() - began >= TIMING_BUDGET_MS) break;
    const feed = inputs();
    const wall = clock.wallMs();
    const cpu = clock.cpuMs?.() ?? 0;
    try {
      await run(feed);
    } catch {
      return undefined;
    }
    const wallCost = clock.wallMs() - wall;
    const cost = clock.cpuMs === undefined ? wallCost : Math.min(wallCost, clock.cpuMs() - cpu);
    fastest = Math.min(fastest, cost);
  }
  return fastest;
}

export { AUTO_WORKER_THRESHOLD_MS };
