/**
 * What the core assumes about the onnxfleet-server image: its command, flags, ports, paths, health routes,
 * metric names and batching defaults. One place, imported by the planners AND by the server
 * (`server/config.ts`, `server/app.ts`, `server/metrics/definitions.ts`, `server/batching/options.ts`), so the
 * two cannot disagree; `test/e2e/core-server-contract.test.ts` runs the server on what the core plans.
 */

/** The executable on the image's PATH. */
export const SERVER_COMMAND = "onnxfleet-server";

/** Container port of the Open Inference Protocol REST API (`--http-port`). */
export const HTTP_PORT = 8000;
/** Container port of Prometheus `/metrics` (`--metrics-port`). */
export const METRICS_PORT = 8002;
/** Port names on containers and Services. */
export const HTTP_PORT_NAME = "http";
export const METRICS_PORT_NAME = "metrics";

/** The model repository inside the pod, Triton layout: `<dir>/<model>/<version>/model.onnx`. */
export const MODEL_REPOSITORY_PATH = "/models";
export const MODEL_FILE_NAME = "model.onnx";
export const MODEL_CONFIG_FILE_NAME = "config.json";

/** The V2 health routes. */
export const READY_PATH = "/v2/health/ready";
export const LIVE_PATH = "/v2/health/live";
export const METRICS_PATH = "/metrics";
/** Every Open Inference Protocol route starts with this prefix. */
export const API_PATH_PREFIX = "/v2";

/**
 * Every metric name the server exports at `/metrics` (besides prom-client's process and Node.js metrics): a
 * public contract. The server registers exactly these (`server/metrics/definitions.ts`), and the planned
 * alerts and dashboards query only these, so neither side can rename one alone.
 */
export const SERVER_METRICS = {
  /** Counter by `model`, `version`, `outcome` ({@link REQUEST_OUTCOMES}). */
  requestsTotal: "onnxfleet_requests_total",
  /** Histogram by `model`, `version`, `outcome`; buckets {@link LATENCY_BUCKETS_SECONDS}. */
  requestDuration: "onnxfleet_request_duration_seconds",
  /** Histogram by `model`, `version`: time in the batch queue. */
  queueDuration: "onnxfleet_queue_duration_seconds",
  /** Histogram by `model`, `version`: onnxruntime time per batch. */
  computeDuration: "onnxfleet_compute_duration_seconds",
  /** Histogram by `model`, `version`: rows per batch ({@link BATCH_ROW_BUCKETS}). */
  batchSize: "onnxfleet_batch_size_rows",
  /** Gauge, no label: requests received and not yet answered on this replica. */
  inflightRequests: "onnxfleet_inflight_requests",
  /** Gauge by `model`, `version`: requests waiting in the batch queue. */
  queueDepth: "onnxfleet_queue_depth_requests",
  /** Histogram by `model`, `version`: load and warm-up time of a model version. */
  modelLoadDuration: "onnxfleet_model_load_duration_seconds",
} as const;

/** The `outcome` label values of {@link SERVER_METRICS.requestsTotal}: by status class, or the client left. */
export const REQUEST_OUTCOMES = ["success", "client_error", "server_error", "aborted"] as const;
/** How an inference request ended. */
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** Latency histogram buckets (upper bounds, seconds): 1 ms to 30 s, a small CPU model up to a large GPU batch. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;
/** Batch size histogram buckets (rows): powers of two up to 1024. */
export const BATCH_ROW_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] as const;

/** The gauge of requests being processed by one server, the autoscaling signal. */
export const INFLIGHT_REQUESTS_METRIC = SERVER_METRICS.inflightRequests;

/**
 * Dynamic batching a model gets when its `config.json` says nothing (the server's `--max-batch-size`,
 * `--max-queue-delay-microseconds`, `--max-queue-size`, `--queue-timeout-ms` defaults). Chosen by
 * measurement (see docs/server.md and docs/benchmark.md). A ModelService's `batching` prop falls back to these
 * key by key, and its `config.json` always states the effective values.
 */
export const SERVER_BATCHING_DEFAULTS = {
  /** Most rows one batched run holds; 1 turns batching off. */
  maxBatchSize: 64,
  /** Longest an idle instance holds a partial batch back for more requests, in microseconds. */
  maxQueueDelayMicroseconds: 10_000,
  /** Most requests waiting per model version; more get 503. */
  maxQueueSize: 1024,
  /** A request queued longer than this gets 503; 0 waits without limit. */
  queueTimeoutMs: 10_000,
} as const;

/** Server flags the planners set. */
export const FLAGS = {
  modelRepository: "--model-repository",
  httpPort: "--http-port",
  metricsPort: "--metrics-port",
  executionProvider: "--execution-provider",
  drainDelaySeconds: "--drain-delay-seconds",
  shutdownTimeoutSeconds: "--shutdown-timeout-seconds",
  accessLogSampleRate: "--access-log-sample-rate",
  authTokenFile: "--auth-token-file",
} as const;

/** Where the bearer token Secret is mounted in the server container, and the token file inside it. */
export const AUTH_TOKEN_DIR = "/var/run/secrets/onnxfleet/auth";
export const AUTH_TOKEN_FILE = `${AUTH_TOKEN_DIR}/token`;

/** Flags of `onnxfleet-server fetch`, the init container that downloads and verifies one model file. */
export const FETCH_SUBCOMMAND = "fetch";
export const FETCH_FLAGS = { uri: "--uri", sha256: "--sha256", dest: "--dest" } as const;

/** Path of one model version's file in the repository. */
export function modelFilePath(modelName: string, version: number): string {
  return `${MODEL_REPOSITORY_PATH}/${modelName}/${version}/${MODEL_FILE_NAME}`;
}

/** Path of a model's `config.json` in the repository. */
export function modelConfigPath(modelName: string): string {
  return `${MODEL_REPOSITORY_PATH}/${modelName}/${MODEL_CONFIG_FILE_NAME}`;
}
