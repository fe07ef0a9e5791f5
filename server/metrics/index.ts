/** Prometheus metrics of the server: definitions, per-model hooks, request hooks, endpoints. */
export {
  createServerMetrics,
  METRIC_NAMES,
  type RequestOutcome,
  type ServerMetrics,
  type ServerMetricsOptions,
} from "./definitions";
export {
  METRICS_PATH,
  type MetricsServerOptions,
  registerMetricsRoute,
  startMetricsServer,
} from "./endpoint";
export { type ModelMetrics, modelMetricsFor, NO_MODEL_METRICS, withComputeMetrics } from "./model-metrics";
export {
  inferenceRequestTracker,
  type MetricsTarget,
  outcomeOf,
  type RequestMetricsOptions,
  type RequestTracker,
  registerRequestMetrics,
} from "./request-metrics";
