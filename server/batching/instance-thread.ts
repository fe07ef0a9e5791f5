/**
 * Where `--instance-thread auto` runs a model's instances. The main thread is only for runs proven cheap
 * for every shape a request may have, since a run there blocks the event loop and no deadline can stop
 * it (docs/server-faults.md):
 * - no BYTES tensor (a string's length, and so a run's cost, is not bounded by the shape);
 * - every input and output dimension fixed, except the first one of a batchable model, which the
 *   batcher bounds by maxBatchSize (above 1);
 * - the warm-up at that largest shape runs (a synthesised one may fail: then a worker) in under
 *   {@link AUTO_WORKER_THRESHOLD_MS}.
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

/** The fastest of a few runs of `inputs()` with `run`, in ms; undefined when a run fails. */
export async function fastestRunMs(
  run: (inputs: readonly Tensor[]) => Promise<unknown>,
  inputs: () => readonly Tensor[],
): Promise<number | undefined> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const feed = inputs();
    const start = performance.now();
    try {
      await run(feed);
    } catch {
      return undefined;
    }
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

export { AUTO_WORKER_THRESHOLD_MS };
