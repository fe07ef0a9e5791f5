/**
 * The server's one configuration schema. Every option is a command-line flag and an environment variable
 * (`ONNXFLEET_` + the flag in upper snake case); a flag wins over the environment, which wins over the
 * default. To add an option, add one entry to {@link CONFIG_SCHEMA}: its type flows into {@link ServerConfig},
 * parsing, validation and the documentation table.
 */
import { parseArgs } from "node:util";
import { HTTP_PORT } from "../src/plan/server-contract";
import { INSTANCE_THREADS, INTRA_OP_SPINNING } from "./batching/model-settings";
import { BATCHING_OPTION_LIMITS, DEFAULT_BATCHING_OPTIONS } from "./batching/options";
import { EXECUTION_PROVIDERS } from "./runtime/execution-providers";

/** One option of the schema. */
export interface OptionSpec<T> {
  /** Command-line flag without the leading dashes, kebab-case. */
  readonly flag: string;
  /** Value kind, for parsing and the documentation table. */
  readonly kind: "string" | "integer" | "number" | "boolean" | "enum";
  /** Allowed values of an enum option. */
  readonly choices?: readonly string[];
  /** Bounds of an integer or number option (inclusive). */
  readonly min?: number;
  readonly max?: number;
  /**
   * The value when neither flag nor environment variable is set; absent means the option is required,
   * unless {@link OptionSpec.optional}.
   */
  readonly default?: T;
  /** True when the option may stay unset (its value is then `undefined`). */
  readonly optional?: boolean;
  /** One sentence for `--help` and the documentation table. */
  readonly description: string;
}

function stringOption(spec: Omit<OptionSpec<string>, "kind">): OptionSpec<string> {
  return { ...spec, kind: "string" };
}
function integerOption(spec: Omit<OptionSpec<number>, "kind">): OptionSpec<number> {
  return { ...spec, kind: "integer" };
}
function numberOption(spec: Omit<OptionSpec<number>, "kind">): OptionSpec<number> {
  return { ...spec, kind: "number" };
}
function booleanOption(spec: Omit<OptionSpec<boolean>, "kind">): OptionSpec<boolean> {
  return { ...spec, kind: "boolean" };
}
function enumOption<const T extends string>(
  spec: Omit<OptionSpec<T>, "kind" | "choices"> & { readonly choices: readonly T[] },
): OptionSpec<T> {
  return { ...spec, kind: "enum" };
}

function optionalStringOption(
  spec: Omit<OptionSpec<string>, "kind" | "default" | "optional">,
): OptionSpec<string | undefined> {
  return { ...spec, kind: "string", optional: true };
}
function optionalIntegerOption(
  spec: Omit<OptionSpec<number>, "kind" | "default" | "optional">,
): OptionSpec<number | undefined> {
  return { ...spec, kind: "integer", optional: true };
}

/** Builders for schema entries (for helpers that extend the schema). */
export const option = {
  string: stringOption,
  integer: integerOption,
  number: numberOption,
  boolean: booleanOption,
  enum: enumOption,
  optionalString: optionalStringOption,
  optionalInteger: optionalIntegerOption,
};

/** Every server option. Keys are the {@link ServerConfig} property names. */
export const CONFIG_SCHEMA = {
  modelRepository: option.string({
    flag: "model-repository",
    description: "Directory laid out as `<model>/<version>/model.onnx`; every model in it is served.",
  }),
  httpPort: option.integer({
    flag: "http-port",
    default: HTTP_PORT,
    min: 0,
    max: 65535,
    description: "TCP port of the HTTP (Open Inference Protocol REST) listener; 0 picks a free port.",
  }),
  host: option.string({
    flag: "host",
    default: "0.0.0.0",
    description: "Address the HTTP listener binds to.",
  }),
  executionProvider: option.enum({
    flag: "execution-provider",
    choices: EXECUTION_PROVIDERS,
    default: "cpu",
    description:
      "onnxruntime execution provider; cuda needs onnxruntime-node's CUDA binaries and a GPU; webgpu needs a Vulkan driver (docs/server.md).",
  }),
  intraOpThreads: option.integer({
    flag: "intra-op-threads",
    default: 0,
    min: 0,
    max: 1024,
    description:
      "Threads onnxruntime uses inside one operator; 0: one for sessions on the main thread (their runs are short, and a pool's wake-ups cost more than they save), onnxruntime's choice (one per core) on worker threads.",
  }),
  maxBatchSize: option.integer({
    flag: "max-batch-size",
    default: DEFAULT_BATCHING_OPTIONS.maxBatchSize,
    min: BATCHING_OPTION_LIMITS.maxBatchSize[0],
    max: BATCHING_OPTION_LIMITS.maxBatchSize[1],
    description:
      "Most rows one batched run holds (requests are joined along dim 0); a request with more gets 400; 1 turns batching off (requests of any size run alone). A model's config.json batching.maxBatchSize overrides it.",
  }),
  maxQueueDelayMicroseconds: option.integer({
    flag: "max-queue-delay-microseconds",
    default: DEFAULT_BATCHING_OPTIONS.maxQueueDelayMicroseconds,
    min: BATCHING_OPTION_LIMITS.maxQueueDelayMicroseconds[0],
    max: BATCHING_OPTION_LIMITS.maxQueueDelayMicroseconds[1],
    description:
      "Longest a freed instance holds a partial batch back for requests recent traffic says are coming; a lone request never waits; 0 never holds back.",
  }),
  maxQueueSize: option.integer({
    flag: "max-queue-size",
    default: DEFAULT_BATCHING_OPTIONS.maxQueueSize,
    min: BATCHING_OPTION_LIMITS.maxQueueSize[0],
    max: BATCHING_OPTION_LIMITS.maxQueueSize[1],
    description: "Most requests waiting per model version; more are refused at once with 503.",
  }),
  queueTimeoutMs: option.integer({
    flag: "queue-timeout-ms",
    default: DEFAULT_BATCHING_OPTIONS.queueTimeoutMs,
    min: BATCHING_OPTION_LIMITS.queueTimeoutMs[0],
    max: BATCHING_OPTION_LIMITS.queueTimeoutMs[1],
    description:
      "A request waiting longer than this in the queue gets 503 and is not run; 0 waits without limit.",
  }),
  instances: option.integer({
    flag: "instances",
    default: 1,
    min: 1,
    max: 64,
    description: "onnxruntime sessions per model version, each running one batch at a time.",
  }),
  instanceThread: option.enum({
    flag: "instance-thread",
    choices: INSTANCE_THREADS,
    default: "auto",
    description:
      "Where sessions run: worker (a thread each, so HTTP work overlaps inference, under --inference-timeout-ms), main (the event loop's thread, no deadline), or auto: main only for models without BYTES whose every dimension is fixed or bounded by batching and whose largest run takes under 1 ms, else worker.",
  }),
  intraOpSpinning: option.enum({
    flag: "intra-op-spinning",
    choices: INTRA_OP_SPINNING,
    default: "auto",
    description:
      "Whether onnxruntime's intra-op threads busy-wait between operators: auto spins for sessions on worker threads and not for sessions on the main thread; off suits pods that share their cores.",
  }),
  bodyLimitBytes: option.integer({
    flag: "body-limit-bytes",
    default: 64 * 1024 * 1024,
    min: 1024,
    max: 2 ** 31 - 1,
    description: "Largest request body accepted, in bytes; larger requests get 413.",
  }),
  largeBodiesBudgetBytes: option.integer({
    flag: "large-bodies-budget-bytes",
    default: 256 * 1024 * 1024,
    min: 1024,
    max: 2 ** 42,
    description:
      "Most bytes of request bodies of 64 KiB or more (JSON or binary, counted from Content-Length before any is read) in progress at once; a request that would pass it gets 503 at once. At least --body-limit-bytes.",
  }),
  headersTimeoutSeconds: option.integer({
    flag: "headers-timeout-seconds",
    default: 10,
    min: 1,
    max: 600,
    description: "Time a client has to send the request headers; slower connections are closed (slowloris).",
  }),
  requestTimeoutSeconds: option.integer({
    flag: "request-timeout-seconds",
    default: 60,
    min: 1,
    max: 3600,
    description: "Time a client has to send the whole request, body included; slower requests get 408.",
  }),
  keepAliveTimeoutSeconds: option.integer({
    flag: "keep-alive-timeout-seconds",
    default: 120,
    min: 1,
    max: 3600,
    description:
      "An idle keep-alive connection is closed after this long. Keep it under the load balancer's idle timeout (an AWS NLB drops idle flows silently after 350 s) and above clients' idle pool timeouts (Go: 90 s).",
  }),
  maxConnections: option.integer({
    flag: "max-connections",
    default: 4096,
    min: 1,
    max: 1_000_000,
    description:
      "Most open connections on the HTTP port; more are closed at once (keep it under the process's file descriptor limit, so other files and the metrics port still open).",
  }),
  drainDelaySeconds: option.integer({
    flag: "drain-delay-seconds",
    default: 5,
    min: 0,
    max: 3600,
    description:
      "On SIGTERM, time between failing readiness and closing the listener, while load balancers notice.",
  }),
  shutdownTimeoutSeconds: option.integer({
    flag: "shutdown-timeout-seconds",
    default: 25,
    min: 1,
    max: 3600,
    description:
      "Hard deadline from SIGTERM to exit; requests still running then are cut off and the exit code is 1.",
  }),
  metricsPort: option.optionalInteger({
    flag: "metrics-port",
    min: 0,
    max: 65535,
    description: "Serve /metrics on this separate port instead of the HTTP port (unset: on the HTTP port).",
  }),
  authTokenFile: option.optionalString({
    flag: "auth-token-file",
    description:
      "File holding a bearer token required on every route but the health probes (unset: no auth).",
  }),
  authToken: option.optionalString({
    flag: "auth-token",
    description:
      "The bearer token itself; prefer the environment variable or --auth-token-file (flags show in ps).",
  }),
  accessLogSampleRate: option.number({
    flag: "access-log-sample-rate",
    default: 0.01,
    min: 0,
    max: 1,
    description:
      "Share of requests that get an info-level access line (0.01: one in a hundred; 1: all; 0: none); refused and failed requests are always logged (503s once per burst).",
  }),
  exitOnError: option.boolean({
    flag: "exit-on-error",
    default: true,
    description:
      "Exit at start when any model version fails to load (a bad rollout never turns ready); --no-exit-on-error serves the others and reports the failed one unready.",
  }),
  inferenceTimeoutMs: option.integer({
    flag: "inference-timeout-ms",
    default: 30_000,
    min: 10,
    max: 3_600_000,
    description:
      "Deadline of one run on a worker instance; a run past it gets 504 and its worker is terminated and replaced.",
  }),
  workerHeapMb: option.integer({
    flag: "worker-heap-mb",
    default: 1024,
    min: 16,
    max: 65_536,
    description:
      "V8 heap cap of each worker instance, in MiB; a worker past it is ended (500 for its request) and restarted, the process lives on.",
  }),
  maxResponseBytes: option.integer({
    flag: "max-response-bytes",
    default: 64 * 1024 * 1024,
    min: 1024,
    max: 2 ** 31 - 1,
    description:
      "Most bytes one response may carry: its output tensors' raw bytes (BYTES elements 4 more each), checked before encoding, and its encoded body (a JSON answer stops as soon as its text passes it); past either, 400.",
  }),
  maxBytesElements: option.integer({
    flag: "max-bytes-elements",
    default: 1_048_576,
    min: 1,
    max: 2 ** 31 - 1,
    description:
      "Most BYTES (string) elements one request may carry, all inputs together; more get 413 before they are queued (their bytes are bounded by --body-limit-bytes).",
  }),
  logLevel: option.enum({
    flag: "log-level",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    default: "info",
    description: "Minimum level of the JSON log lines written to stdout.",
  }),
} satisfies Record<string, OptionSpec<unknown>>;

type ValueOf<S> = S extends OptionSpec<infer T> ? T : never;

/** The resolved server configuration. */
export type ServerConfig = { readonly [K in keyof typeof CONFIG_SCHEMA]: ValueOf<(typeof CONFIG_SCHEMA)[K]> };

/** A configuration problem: unknown flag, bad value, missing required option. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The environment variable of a flag: `model-repository` -> `ONNXFLEET_MODEL_REPOSITORY`. */
export function envVarOf(flag: string): string {
  return `ONNXFLEET_${flag.toUpperCase().replaceAll("-", "_")}`;
}

function schemaEntries(): [string, OptionSpec<unknown>][] {
  return Object.entries(CONFIG_SCHEMA as Record<string, OptionSpec<unknown>>);
}

function parseValue(spec: OptionSpec<unknown>, raw: string, source: string): unknown {
  switch (spec.kind) {
    case "string":
      if (raw === "") throw new ConfigError(`${source} must not be empty`);
      return raw;
    case "integer": {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${source} must be an integer, got "${raw}"`);
      const value = Number(raw.trim());
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        throw new ConfigError(`${source} must be between ${spec.min} and ${spec.max}, got ${value}`);
      }
      return value;
    }
    case "number": {
      const value = Number(raw.trim());
      if (raw.trim() === "" || !Number.isFinite(value))
        throw new ConfigError(`${source} must be a number, got "${raw}"`);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        throw new ConfigError(`${source} must be between ${spec.min} and ${spec.max}, got ${value}`);
      }
      return value;
    }
    case "boolean":
      if (["true", "1", "yes"].includes(raw.toLowerCase())) return true;
      if (["false", "0", "no"].includes(raw.toLowerCase())) return false;
      throw new ConfigError(`${source} must be true or false, got "${raw}"`);
    case "enum":
      if (!spec.choices?.includes(raw)) {
        throw new ConfigError(`${source} must be one of ${spec.choices?.join(", ")}, got "${raw}"`);
      }
      return raw;
  }
}

/**
 * Resolves the configuration from command-line arguments (without the node and script paths) and the
 * environment. Throws {@link ConfigError} naming the flag or variable at fault.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ServerConfig {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const [, spec] of schemaEntries()) {
    options[spec.flag] = { type: spec.kind === "boolean" ? "boolean" : "string" };
    if (spec.kind === "boolean") options[`no-${spec.flag}`] = { type: "boolean" };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    const known = schemaEntries()
      .map(([, spec]) => `--${spec.flag}`)
      .join(", ");
    throw new ConfigError(`${(error as Error).message}. Known flags: ${known}`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, spec] of schemaEntries()) {
    const fromFlag = values[spec.flag];
    const variable = envVarOf(spec.flag);
    const fromEnv = env[variable];
    if (values[`no-${spec.flag}`] === true) {
      if (fromFlag !== undefined) throw new ConfigError(`set --${spec.flag} or --no-${spec.flag}, not both`);
      config[key] = false;
    } else if (typeof fromFlag === "boolean") config[key] = fromFlag;
    else if (fromFlag !== undefined) config[key] = parseValue(spec, fromFlag, `--${spec.flag}`);
    else if (fromEnv !== undefined && fromEnv !== "") config[key] = parseValue(spec, fromEnv, variable);
    else if (spec.default !== undefined) config[key] = spec.default;
    else if (spec.optional) config[key] = undefined;
    else throw new ConfigError(`--${spec.flag} (or ${variable}) is required: ${spec.description}`);
  }
  checkCombinations(config as ServerConfig);
  return config as ServerConfig;
}

/** Checks options that are only wrong together. */
function checkCombinations(config: ServerConfig): void {
  if (config.shutdownTimeoutSeconds <= config.drainDelaySeconds) {
    throw new ConfigError(
      `--shutdown-timeout-seconds (${config.shutdownTimeoutSeconds}) must be greater than ` +
        `--drain-delay-seconds (${config.drainDelaySeconds}): in-flight requests need time after the drain delay`,
    );
  }
  if (config.largeBodiesBudgetBytes < config.bodyLimitBytes) {
    throw new ConfigError(
      `--large-bodies-budget-bytes (${config.largeBodiesBudgetBytes}) must be at least ` +
        `--body-limit-bytes (${config.bodyLimitBytes}): a request at the body limit could never be admitted`,
    );
  }
  if (config.headersTimeoutSeconds > config.requestTimeoutSeconds) {
    throw new ConfigError(
      `--headers-timeout-seconds (${config.headersTimeoutSeconds}) must not exceed ` +
        `--request-timeout-seconds (${config.requestTimeoutSeconds})`,
    );
  }
  if (
    config.metricsPort !== undefined &&
    config.metricsPort !== 0 &&
    config.metricsPort === config.httpPort
  ) {
    throw new ConfigError(`--metrics-port (${config.metricsPort}) must differ from --http-port`);
  }
  if (config.authToken !== undefined && config.authTokenFile !== undefined) {
    throw new ConfigError("set either --auth-token-file or --auth-token (ONNXFLEET_AUTH_TOKEN), not both");
  }
}

/** The schema as a Markdown table (kept in docs/server.md; a test checks they agree). */
export function configTableMarkdown(): string {
  const rows = schemaEntries().map(([, spec]) => {
    const type = spec.kind === "enum" ? (spec.choices ?? []).map((c) => `\`${c}\``).join(" \\| ") : spec.kind;
    const fallback =
      spec.default !== undefined ? `\`${String(spec.default)}\`` : spec.optional ? "(unset)" : "(required)";
    return `| \`--${spec.flag}\` | \`${envVarOf(spec.flag)}\` | ${type} | ${fallback} | ${spec.description} |`;
  });
  return [
    "| Flag | Environment variable | Type | Default | Description |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** `onnxfleet-server --help`: usage and every option with its environment variable and default. */
export function helpText(): string {
  const lines = schemaEntries().map(([, spec]) => {
    const value =
      spec.kind === "enum"
        ? (spec.choices ?? []).join("|")
        : spec.kind === "boolean"
          ? ""
          : spec.kind.toUpperCase();
    const fallback =
      spec.default !== undefined
        ? `default ${String(spec.default)}`
        : spec.optional
          ? "optional"
          : "required";
    return `  --${spec.flag}${value ? ` ${value}` : ""}\n      ${spec.description} (${envVarOf(spec.flag)}; ${fallback})`;
  });
  return [
    "Usage: onnxfleet-server --model-repository DIR [options]",
    "       onnxfleet-server fetch --uri URI --sha256 HEX --dest FILE   download a model and check its digest",
    "                                                                  (onnxfleet-server fetch --help)",
    "       onnxfleet-server --version",
    "",
    "Options:",
    ...lines,
    "",
  ].join("\n");
}
