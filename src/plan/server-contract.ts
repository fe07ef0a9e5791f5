/**
 * What the core assumes about the onnxfleet-server image: its command, flags, ports, paths, health routes and
 * metric names. One place, so the server and the planners stay aligned.
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

/** The gauge of requests being processed by one server, the autoscaling signal. */
export const INFLIGHT_REQUESTS_METRIC = "onnxfleet_inflight_requests";

/** Server flags the planners set. */
export const FLAGS = {
  modelRepository: "--model-repository",
  httpPort: "--http-port",
  metricsPort: "--metrics-port",
  executionProvider: "--execution-provider",
  drainDelaySeconds: "--drain-delay-seconds",
  shutdownTimeoutSeconds: "--shutdown-timeout-seconds",
} as const;

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
