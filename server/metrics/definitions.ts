/**
 * The server's Prometheus metrics, in one registry per server instance. Names follow Prometheus
 * conventions (base units in the name, `_total` on counters) and are a public contract: dashboards, alerts
 * and the autoscaler (`onnxfleet_inflight_requests`) depend on them.
 */
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import {
  BATCH_ROW_BUCKETS,
  LATENCY_BUCKETS_SECONDS,
  type RequestOutcome,
  SERVER_METRICS,
} from "../../src/plan/server-contract";
import { HotCounter, HotGauge, HotHistogram } from "./hot-metrics";

/**
 * Every metric name the server exports (besides prom-client's process and Node.js metrics), from the contract
 * the core's alerts and dashboards read too.
 */
export const METRIC_NAMES = SERVER_METRICS;

/** How an inference request ended: by status class, or `aborted` when the client left before the answer. */
export type { RequestOutcome };

type ModelLabel = "model" | "version";

/**
 * The metric objects of one server: those updated per request are `./hot-metrics` ones (a series bound
 * once, then plain arithmetic), exported through the same prom-client registry as the rest.
 */
export interface ServerMetrics {
  /** The registry holding them; serve it with `registerMetricsRoute` or `startMetricsServer`. */
  readonly registry: Registry;
  readonly requestsTotal: HotCounter<ModelLabel | "outcome">;
  readonly requestDuration: HotHistogram<ModelLabel | "outcome">;
  readonly queueDuration: HotHistogram<ModelLabel>;
  readonly computeDuration: HotHistogram<ModelLabel>;
  readonly batchSize: HotHistogram<ModelLabel>;
  readonly inflightRequests: HotGauge<never>;
  readonly queueDepth: HotGauge<ModelLabel>;
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

/** Model loads: 10 ms to 10 min (large models pulled and warmed up). */
const LOAD_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Creates the metrics in a fresh registry (never prom-client's global one, so apps do not collide). */
export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const metrics: ServerMetrics = {
    registry,
    requestsTotal: new HotCounter({
      name: METRIC_NAMES.requestsTotal,
      help: "Inference requests answered, by model, version and outcome (success, client_error, server_error, aborted).",
      labelNames: ["model", "version", "outcome"],
      registers,
    }),
    requestDuration: new HotHistogram({
      name: METRIC_NAMES.requestDuration,
      help: "Time from receiving an inference request to finishing its response, in seconds.",
      labelNames: ["model", "version", "outcome"],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    }),
    queueDuration: new HotHistogram({
      name: METRIC_NAMES.queueDuration,
      help: "Time a request waited in the batch queue before its batch started, in seconds.",
      labelNames: ["model", "version"],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    }),
    computeDuration: new HotHistogram({
      name: METRIC_NAMES.computeDuration,
      help: "Time onnxruntime spent running one batch (or one unbatched request), in seconds.",
      labelNames: ["model", "version"],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    }),
    batchSize: new HotHistogram({
      name: METRIC_NAMES.batchSize,
      help: "Rows (first-dimension entries) in each batch the dynamic batcher ran.",
      labelNames: ["model", "version"],
      buckets: [...BATCH_ROW_BUCKETS],
      registers,
    }),
    inflightRequests: new HotGauge<never>({
      name: METRIC_NAMES.inflightRequests,
      help: "Inference requests received and not yet answered on this replica (the autoscaling signal).",
      labelNames: [],
      registers,
    }),
    queueDepth: new HotGauge({
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
  // Exported at 0 from the start, as an unlabelled prom-client gauge is.
  metrics.inflightRequests.series({});
  return metrics;
}
