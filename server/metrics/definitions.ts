/**
 * The server's Prometheus metrics, in one registry per server instance. Names follow Prometheus
 * conventions (base units in the name, `_total` on counters) and are a public contract: dashboards, alerts
 * and the autoscaler (`onnxfleet_inflight_requests`) depend on them.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Every metric name the server exports (besides prom-client's process and Node.js metrics). */
export const METRIC_NAMES = {
  requestsTotal: "onnxfleet_requests_total",
  requestDuration: "onnxfleet_request_duration_seconds",
  queueDuration: "onnxfleet_queue_duration_seconds",
  computeDuration: "onnxfleet_compute_duration_seconds",
  batchSize: "onnxfleet_batch_size_rows",
  inflightRequests: "onnxfleet_inflight_requests",
  queueDepth: "onnxfleet_queue_depth_requests",
  modelLoadDuration: "onnxfleet_model_load_duration_seconds",
} as const;

/** How an inference request ended: by status class, or `aborted` when the client left before the answer. */
export type RequestOutcome = "success" | "client_error" | "server_error" | "aborted";

type ModelLabel = "model" | "version";

/** The metric objects (prom-client) of one server. */
export interface ServerMetrics {
  /** The registry holding them; serve it with `registerMetricsRoute` or `startMetricsServer`. */
  readonly registry: Registry;
  readonly requestsTotal: Counter<ModelLabel | "outcome">;
  readonly requestDuration: Histogram<ModelLabel | "outcome">;
  readonly queueDuration: Histogram<ModelLabel>;
  readonly computeDuration: Histogram<ModelLabel>;
  readonly batchSize: Histogram<ModelLabel>;
  readonly inflightRequests: Gauge;
  readonly queueDepth: Gauge<ModelLabel>;
  readonly modelLoadDuration: Histogram<ModelLabel>;
}

/** Options of {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /**
   * Also export prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC).
   * @default true
   */
  readonly processMetrics?: boolean;
}

/** Latency buckets from 1 ms to 30 s: covers a small model on CPU up to a large batch on GPU. */
const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Powers of two up to 1024 rows. */
const BATCH_ROW_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** Model loads: 10 ms to 10 min (large models pulled and warmed up). */
const LOAD_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Creates the metrics in a fresh registry (never prom-client's global one, so apps do not collide). */
export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestsTotal: new Counter({
      name: METRIC_NAMES.requestsTotal,
      help: "Inference requests answered, by model, version and outcome (success, client_error, server_error, aborted).",
      labelNames: ["model", "version", "outcome"],
      registers,
    }),
    requestDuration: new Histogram({
      name: METRIC_NAMES.requestDuration,
      help: "Time from receiving an inference request to finishing its response, in seconds.",
      labelNames: ["model", "version", "outcome"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    queueDuration: new Histogram({
      name: METRIC_NAMES.queueDuration,
      help: "Time a request waited in the batch queue before its batch started, in seconds.",
      labelNames: ["model", "version"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    computeDuration: new Histogram({
      name: METRIC_NAMES.computeDuration,
      help: "Time onnxruntime spent running one batch (or one unbatched request), in seconds.",
      labelNames: ["model", "version"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    batchSize: new Histogram({
      name: METRIC_NAMES.batchSize,
      help: "Rows (first-dimension entries) in each batch the dynamic batcher ran.",
      labelNames: ["model", "version"],
      buckets: BATCH_ROW_BUCKETS,
      registers,
    }),
    inflightRequests: new Gauge({
      name: METRIC_NAMES.inflightRequests,
      help: "Inference requests received and not yet answered on this replica (the autoscaling signal).",
      registers,
    }),
    queueDepth: new Gauge({
      name: METRIC_NAMES.queueDepth,
      help: "Requests waiting in the batch queue of each model version.",
      labelNames: ["model", "version"],
      registers,
    }),
    modelLoadDuration: new Histogram({
      name: METRIC_NAMES.modelLoadDuration,
      help: "Time to load (and warm up) one model version, in seconds.",
      labelNames: ["model", "version"],
      buckets: LOAD_BUCKETS_SECONDS,
      registers,
    }),
  };
}
