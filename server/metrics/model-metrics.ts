/**
 * The metrics hooks of one model version: a small typed interface the dynamic batcher and the runtime
 * call, so neither imports prom-client or knows the label names.
 */
import type { ServerMetrics } from "./definitions";

/** What the batcher and runtime report about one model version. */
export interface ModelMetrics {
  /** The number of requests now waiting in the batch queue (call on every enqueue and dequeue). */
  setQueueDepth(requests: number): void;
  /** One request waited this long in the queue before its batch started. */
  observeQueueSeconds(seconds: number): void;
  /** One batch ran with this many rows (sum of the requests' first dimensions). */
  observeBatchRows(rows: number): void;
  /** onnxruntime ran one batch (or one unbatched request) in this time. */
  observeComputeSeconds(seconds: number): void;
}

/** Hooks that record nothing (tests, tools). */
export const NO_MODEL_METRICS: ModelMetrics = {
  setQueueDepth() {},
  observeQueueSeconds() {},
  observeBatchRows() {},
  observeComputeSeconds() {},
};

/** The hooks of `model` version `version`, recording into `metrics`. */
export function modelMetricsFor(metrics: ServerMetrics, model: string, version: string): ModelMetrics {
  const labels = { model, version };
  const queueDepth = metrics.queueDepth.series(labels);
  const queueDuration = metrics.queueDuration.series(labels);
  const batchSize = metrics.batchSize.series(labels);
  const computeDuration = metrics.computeDuration.series(labels);
  // The series exists from the start (0), so dashboards and autoscalers see the version before its first queue.
  return {
    setQueueDepth: (requests) => queueDepth.set(requests),
    observeQueueSeconds: (seconds) => queueDuration.observe(seconds),
    observeBatchRows: (rows) => batchSize.observe(rows),
    observeComputeSeconds: (seconds) => computeDuration.observe(seconds),
  };
}

/**
 * Wraps an executor (`InferenceExecutor`) so each call's time is reported as compute time; put it innermost, around the
 * session, so a batcher outside it reports queue time and this reports compute time.
 */
export function withComputeMetrics<A extends unknown[], R>(
  inner: { infer(...args: A): Promise<R>; close?(): Promise<void> },
  metrics: ModelMetrics,
): { infer(...args: A): Promise<R>; close?(): Promise<void> } {
  return {
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async infer(...args: A) {
      const started = process.hrtime.bigint();
      try {
        return await inner.infer(...args);
      } finally {
        metrics.observeComputeSeconds(Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
  };
}
