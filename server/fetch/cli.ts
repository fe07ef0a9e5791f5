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
                                default roots            [env ONNXFLEET_FETCH_CA_FILE]
  --s3-endpoint URL             S3-compatible endpoint   [env ONNXFLEET_S3_ENDPOINT]
  --s3-force-path-style         path-style S3 addressing [env ONNXFLEET_S3_FORCE_PATH_STYLE=true]
  --s3-region REGION            bucket region            [default AWS_REGION, AWS_DEFAULT_REGION, us-east-1]
  --max-attempts N              attempts for transient failures, 1 = no retry [default 5]
  --retry-initial-delay-ms MS   first backoff bound, doubling up to 30 s, full jitter [default 1000]
  --progress-interval-ms MS     least time between progress log lines [default 5000]
  -h, --help                    this text

S3 credentials come from the AWS SDK's default chain (EKS Pod Identity, IRSA, environment, profile).
`;

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

  const caFile = values["ca-file"] ?? nonEmpty(env.ONNXFLEET_FETCH_CA_FILE);
  const endpoint = values["s3-endpoint"] ?? nonEmpty(env.ONNXFLEET_S3_ENDPOINT);
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const region = values["s3-region"];
  const options: FetchOptions = {
    ...(values["dest-root"] === undefined ? {} : { destRoot: values["dest-root"] }),
    ...(caFile === undefined ? {} : { extraCaPem: loadExtraCa(caFile) }),
    s3: {
      ...(endpoint === undefined ? {} : { endpoint }),
      forcePathStyle: values["s3-force-path-style"] ?? envFlag(env, "ONNXFLEET_S3_FORCE_PATH_STYLE"),
      ...(region === undefined ? {} : { region }),
    },
    retry: {
      maxAttempts: integerFlag("--max-attempts", values["max-attempts"], 5, 1),
      initialDelayMs: integerFlag("--retry-initial-delay-ms", values["retry-initial-delay-ms"], 1_000, 0),
    },
    progressIntervalMs: integerFlag("--progress-interval-ms", values["progress-interval-ms"], 5_000, 0),
  };
  return { requests, options };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = nonEmpty(env[name]);
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw invalidRequest(`${name}=${JSON.stringify(value)} must be true, false, 1 or 0`);
}

function integerFlag(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidRequest(`${flag} ${JSON.stringify(raw)} must be an integer >= ${min}`);
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
