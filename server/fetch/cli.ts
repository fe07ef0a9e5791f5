import { parseArgs } from "node:util";
import pino, { type DestinationStream } from "pino";
import { FETCH_ERROR_CODES, FetchError, invalidRequest } from "./errors";
import { type FetchOptions, fetchModels } from "./fetch";
import { readManifest } from "./manifest";
import type { FetchRequest } from "./request";
import { loadExtraCa } from "./sources/https";

/** Exit status of `onnxfleet-server fetch`: fetched (or already present). */
export const FETCH_EXIT_OK = 0;
/** Exit status: a fetch failed (digest mismatch, refused by the source, retries spent). */
export const FETCH_EXIT_FAILED = 1;
/** Exit status: bad flags, URI, digest, destination or manifest. */
export const FETCH_EXIT_USAGE = 2;

export const FETCH_USAGE = `Usage:
  onnxfleet-server fetch --uri URI --sha256 HEX --dest PATH [options]
  onnxfleet-server fetch --manifest FILE [options]

Downloads model files, verifies each against its pinned sha256, and renames it into place only when it
matches. A destination that already has the digest is left alone. Exit 0 on success, 1 when a fetch
fails, 2 on bad input.

  --uri URI                     s3://bucket/key, https://host/path or file:///path (http is refused)
  --sha256 HEX                  the file's sha256, 64 hex digits
  --dest PATH                   the file to write (its directory is created)
  --manifest FILE               JSON array of {"uri", "sha256", "dest"}, fetched in order
  --dest-root DIR               refuse any destination outside DIR
  --ca-file PEM                 extra CA certificate(s) for https and S3 endpoints, added to the
                                default roots
  --s3-endpoint URL             S3-compatible endpoint (MinIO, Ceph, R2, ...)
  --s3-force-path-style         path-style S3 addressing (endpoint/bucket/key)
  --s3-region REGION            bucket region [default AWS_REGION, AWS_DEFAULT_REGION, us-east-1]
  --max-attempts N              attempts for transient failures, 1 = no retry [default 5]
  --retry-initial-delay-ms MS   first backoff bound, doubling up to 30 s, full jitter [default 1000]
  --progress-interval-ms MS     least time between progress log lines [default 5000]
  -h, --help                    this text

Every option from --dest-root on may also be set in the environment as ONNXFLEET_ + the flag in upper
snake case (ONNXFLEET_S3_ENDPOINT, ONNXFLEET_CA_FILE, ...); a flag wins over the environment.
S3 credentials come from the AWS SDK's default chain (EKS Pod Identity, IRSA, environment, profile).
`;

/** Options that may also come from the environment, as `ONNXFLEET_` + the flag in upper snake case. */
export const ENV_BACKED_FLAGS = [
  "dest-root",
  "ca-file",
  "s3-endpoint",
  "s3-force-path-style",
  "s3-region",
  "max-attempts",
  "retry-initial-delay-ms",
  "progress-interval-ms",
] as const;

/** The environment variable of a flag: `ONNXFLEET_` + upper snake case (`--ca-file` -> `ONNXFLEET_CA_FILE`). */
export function envName(flag: string): string {
  return `ONNXFLEET_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** Where the CLI writes; tests pass their own. */
export interface FetchCliIo {
  /** JSON log lines. @default process.stdout */
  readonly logDestination?: DestinationStream;
  /** Usage errors and help. @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
  /** Environment read for the env-backed flags. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** `onnxfleet-server fetch ...`: returns the exit status. SIGTERM/SIGINT cancel and clean up. */
export async function fetchMain(argv: string[], io: FetchCliIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const logger = pino({ name: "onnxfleet-fetch" }, io.logDestination ?? process.stdout);
  let parsed: { requests: FetchRequest[]; options: FetchOptions } | "help";
  try {
    parsed = await parseFetchArgs(argv, io.env ?? process.env);
  } catch (error) {
    stderr.write(`onnxfleet-server fetch: ${(error as Error).message}\nRun with --help for usage.\n`);
    return FETCH_EXIT_USAGE;
  }
  if (parsed === "help") {
    stderr.write(FETCH_USAGE);
    return FETCH_EXIT_OK;
  }
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => abort.abort(new Error(`${signal} received`));
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    const results = await fetchModels(parsed.requests, { ...parsed.options, logger, signal: abort.signal });
    logger.info({ files: results.length }, "fetch complete");
    return FETCH_EXIT_OK;
  } catch (error) {
    if (abort.signal.aborted) {
      logger.error(
        { reason: (abort.signal.reason as Error).message },
        "fetch cancelled; temporary files removed",
      );
      return FETCH_EXIT_FAILED;
    }
    const code = error instanceof FetchError ? error.code : undefined;
    logger.error({ code, err: error instanceof Error ? error.message : String(error) }, "fetch failed");
    return code === FETCH_ERROR_CODES.INVALID_REQUEST ? FETCH_EXIT_USAGE : FETCH_EXIT_FAILED;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    logger.flush();
  }
}

/** Parses the flags (and their environment fallbacks) into requests and options. */
export async function parseFetchArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ requests: FetchRequest[]; options: FetchOptions } | "help"> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      uri: { type: "string" },
      sha256: { type: "string" },
      dest: { type: "string" },
      manifest: { type: "string" },
      "dest-root": { type: "string" },
      "ca-file": { type: "string" },
      "s3-endpoint": { type: "string" },
      "s3-force-path-style": { type: "boolean" },
      "s3-region": { type: "string" },
      "max-attempts": { type: "string" },
      "retry-initial-delay-ms": { type: "string" },
      "progress-interval-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  if (positionals.length > 0) throw invalidRequest(`unexpected argument ${JSON.stringify(positionals[0])}`);

  const single = [values.uri, values.sha256, values.dest];
  let requests: FetchRequest[];
  if (values.manifest !== undefined) {
    if (single.some((value) => value !== undefined)) {
      throw invalidRequest("give either --manifest or --uri/--sha256/--dest, not both");
    }
    requests = await readManifest(values.manifest);
  } else {
    const [uri, sha256, dest] = single;
    if (uri === undefined || sha256 === undefined || dest === undefined) {
      const missing = ["--uri", "--sha256", "--dest"].filter((_, i) => single[i] === undefined);
      throw invalidRequest(`missing ${missing.join(", ")} (or give --manifest FILE)`);
    }
    requests = [{ uri, sha256, dest }];
  }

  const setting = (flag: (typeof ENV_BACKED_FLAGS)[number]): string | undefined => {
    const value = values[flag];
    if (typeof value === "string") return value;
    if (value === true) return "true";
    return nonEmpty(env[envName(flag)]);
  };
  const caFile = setting("ca-file");
  const endpoint = setting("s3-endpoint");
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const region = setting("s3-region");
  const destRoot = setting("dest-root");
  const options: FetchOptions = {
    ...(destRoot === undefined ? {} : { destRoot }),
    ...(caFile === undefined ? {} : { extraCaPem: loadExtraCa(caFile) }),
    s3: {
      ...(endpoint === undefined ? {} : { endpoint }),
      forcePathStyle: booleanSetting("s3-force-path-style", setting("s3-force-path-style")),
      ...(region === undefined ? {} : { region }),
    },
    retry: {
      maxAttempts: integerSetting("max-attempts", setting("max-attempts"), 5, 1),
      initialDelayMs: integerSetting("retry-initial-delay-ms", setting("retry-initial-delay-ms"), 1_000, 0),
    },
    progressIntervalMs: integerSetting("progress-interval-ms", setting("progress-interval-ms"), 5_000, 0),
  };
  return { requests, options };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function booleanSetting(flag: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw invalidRequest(`--${flag} / ${envName(flag)} ${JSON.stringify(raw)} must be true, false, 1 or 0`);
}

function integerSetting(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidRequest(`--${flag} / ${envName(flag)} ${JSON.stringify(raw)} must be an integer >= ${min}`);
  }
  return value;
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidRequest(
      `S3 endpoint ${JSON.stringify(endpoint)} is not a URL, e.g. https://minio.storage:9000`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalidRequest(`S3 endpoint ${JSON.stringify(endpoint)} must be an http(s) URL`);
  }
}
