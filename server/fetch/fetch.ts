import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, lstat, mkdir, open, rename, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import pino, { type Logger } from "pino";
import { sha256File } from "./digest";
import { FETCH_ERROR_CODES, FetchError, invalidRequest, isTransientNetworkError } from "./errors";
import { ProgressReporter } from "./progress";
import { type FetchRequest, redact, type ValidatedRequest, validateRequest } from "./request";
import { type RetryPolicy, withRetry } from "./retry";
import { openFile } from "./sources/file";
import { type HttpsSourceOptions, openHttps } from "./sources/https";
import { openS3, type S3SourceOptions } from "./sources/s3";
import type { OpenSource } from "./sources/source";

/** Options of `fetchModel` / `fetchModels`. */
export interface FetchOptions {
  /**
   * Directory every destination must lie in; a destination outside it is refused.
   * @default - any destination without a `..` segment
   */
  readonly destRoot?: string;
  /**
   * Retries of transient failures (network errors, 5xx, throttling, truncated bodies).
   * @default - 5 attempts, backoff from 1 s doubling to 30 s, full jitter
   */
  readonly retry?: RetryPolicy;
  /**
   * `s3://` options: endpoint override, path-style addressing, region.
   * @default - AWS S3 with the SDK's default credential chain
   */
  readonly s3?: Omit<S3SourceOptions, "extraCaPem">;
  /**
   * `https://` options other than the extra CA.
   * @default - 60 s idle timeout, 5 redirects
   */
  readonly https?: Omit<HttpsSourceOptions, "extraCaPem">;
  /**
   * PEM certificates trusted in addition to the default roots, for https and S3-compatible endpoints.
   * @default - the default roots only
   */
  readonly extraCaPem?: string;
  /**
   * Where JSON log lines go (progress, retries, outcome).
   * @default - no logging
   */
  readonly logger?: Logger;
  /**
   * Least time between two progress lines of one download.
   * @default 5_000
   */
  readonly progressIntervalMs?: number;
  /**
   * Cancels the fetch; the temporary file is removed.
   * @default - not cancellable
   */
  readonly signal?: AbortSignal;
}

/** What a fetch did. */
export interface FetchResult {
  /** Absolute path of the destination. */
  readonly dest: string;
  /** The verified sha256 (lowercase hex). */
  readonly sha256: string;
  /** Size of the destination file. */
  readonly bytes: number;
  /** `downloaded`, or `unchanged` when the destination already had the pinned digest. */
  readonly outcome: "downloaded" | "unchanged";
  /** Attempts made; 0 when unchanged. */
  readonly attempts: number;
}

/**
 * Fetches one model file and pins it: streams to a temporary file beside `dest`, hashing as it goes,
 * and renames it into place only when the sha256 matches. On any failure nothing is left behind and an
 * existing `dest` is untouched. A `dest` that already has the digest is kept as is (idempotent).
 */
export async function fetchModel(request: FetchRequest, options: FetchOptions = {}): Promise<FetchResult> {
  const [result] = await fetchModels([request], options);
  return result!;
}

/** Fetches several files in order, after validating them all (and refusing duplicate destinations). */
export async function fetchModels(
  requests: readonly FetchRequest[],
  options: FetchOptions = {},
): Promise<FetchResult[]> {
  const validated = requests.map((request) => validateRequest(request, options.destRoot));
  const seen = new Set<string>();
  for (const request of validated) {
    if (seen.has(request.dest)) throw invalidRequest(`dest ${request.dest} appears more than once`);
    seen.add(request.dest);
  }
  const extraCa = options.extraCaPem === undefined ? {} : { extraCaPem: options.extraCaPem };
  const s3 = openS3({ ...options.s3, ...extraCa });
  const openers: Record<ValidatedRequest["scheme"], OpenSource> = {
    "s3:": s3.open,
    "https:": openHttps({ ...options.https, ...extraCa }),
    "file:": openFile,
  };
  try {
    const results: FetchResult[] = [];
    for (const request of validated) results.push(await fetchOne(request, openers[request.scheme], options));
    return results;
  } finally {
    s3.close();
  }
}

async function fetchOne(
  request: ValidatedRequest,
  openSource: OpenSource,
  options: FetchOptions,
): Promise<FetchResult> {
  const logger = options.logger ?? pino({ enabled: false });
  const fields = { uri: redact(request.uri), dest: request.dest };
  const existing = await existingDestBytes(request);
  if (existing !== undefined) {
    logger.info(
      { ...fields, sha256: request.sha256, bytes: existing },
      "model already present with the pinned sha256",
    );
    return { dest: request.dest, sha256: request.sha256, bytes: existing, outcome: "unchanged", attempts: 0 };
  }
  const firstCreated = await mkdir(dirname(request.dest), { recursive: true });
  const signal = options.signal ?? new AbortController().signal;
  let attempts = 0;
  const bytes = await withRetry(
    async (attempt) => {
      attempts = attempt;
      return downloadOnce(request, openSource, signal, logger, fields, options.progressIntervalMs ?? 5_000);
    },
    options.retry ?? {},
    ({ attempt, maxAttempts, delayMs, error }) =>
      logger.warn(
        { ...fields, attempt, maxAttempts, delayMs, code: error.code, err: error.message },
        "fetch failed, retrying",
      ),
    signal,
  ).catch(async (error: unknown) => {
    // A version directory left empty would make the server refuse to start: remove what this made.
    await removeEmptyDirectories(dirname(request.dest), firstCreated);
    throw error;
  });
  return { dest: request.dest, sha256: request.sha256, bytes, outcome: "downloaded", attempts };
}

/**
 * Removes `dir` and its parents up to `top` (the first directory `mkdir -p` created), each only while it
 * is empty; nothing when `top` is undefined (every directory existed before).
 */
async function removeEmptyDirectories(dir: string, top: string | undefined): Promise<void> {
  if (top === undefined) return;
  for (let current = dir; ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or gone): leave it and everything above
    }
    if (current === top || dirname(current) === current) return;
  }
}

/** The size of `dest` if it is a regular file with the pinned digest; refuses a symlink or non-file. */
async function existingDestBytes(request: ValidatedRequest): Promise<number | undefined> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(request.dest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (info.isSymbolicLink()) {
    throw invalidRequest(
      `dest ${request.dest} is a symbolic link: refusing to follow it; remove it or pick another path`,
    );
  }
  if (!info.isFile()) throw invalidRequest(`dest ${request.dest} exists and is not a regular file`);
  return (await sha256File(request.dest)) === request.sha256 ? Number(info.size) : undefined;
}

/** One attempt: stream into a fresh temporary file, verify, rename. Returns the byte count. */
async function downloadOnce(
  request: ValidatedRequest,
  openSource: OpenSource,
  signal: AbortSignal,
  logger: Logger,
  fields: Readonly<Record<string, unknown>>,
  progressIntervalMs: number,
): Promise<number> {
  const source = await openSource(request.uri, signal);
  const temp = join(
    dirname(request.dest),
    `.${basename(request.dest)}.${randomBytes(6).toString("hex")}.partial`,
  );
  let file: FileHandle | undefined;
  try {
    // "wx": exclusive create, fails rather than follow or reuse anything already at that name.
    file = await open(temp, "wx", 0o644);
    const hash = createHash("sha256");
    const progress = new ProgressReporter(logger, fields, source.sizeBytes, progressIntervalMs);
    try {
      for await (const chunk of source.body) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        await writeAll(file, buffer);
        progress.add(buffer.length);
      }
    } catch (error) {
      throw streamError(request, error, progress.receivedBytes);
    }
    if (source.sizeBytes !== undefined && progress.receivedBytes !== source.sizeBytes) {
      throw new FetchError(
        FETCH_ERROR_CODES.TRANSIENT,
        `${redact(request.uri)} ended after ${progress.receivedBytes} of ${source.sizeBytes} bytes`,
      );
    }
    await file.sync();
    await file.close();
    file = undefined;
    const actual = hash.digest("hex");
    if (actual !== request.sha256) {
      throw new FetchError(
        FETCH_ERROR_CODES.DIGEST_MISMATCH,
        `sha256 mismatch for ${redact(request.uri)}: expected ${request.sha256}, got ${actual} (${progress.receivedBytes} bytes); ${request.dest} left as it was`,
      );
    }
    await rename(temp, request.dest);
    await syncDirectory(dirname(request.dest));
    logger.info(
      {
        ...fields,
        sha256: actual,
        bytes: progress.receivedBytes,
        durationMs: progress.elapsedMs,
        bytesPerSecond: progress.bytesPerSecond(),
      },
      "model fetched and verified",
    );
    return progress.receivedBytes;
  } catch (error) {
    source.body.destroy();
    await file?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** Writes all of `buffer` (a single write may be short). */
async function writeAll(file: FileHandle, buffer: Buffer): Promise<void> {
  for (let offset = 0; offset < buffer.length; ) {
    const { bytesWritten } = await file.write(buffer, offset);
    offset += bytesWritten;
  }
}

function streamError(request: ValidatedRequest, error: unknown, receivedBytes: number): FetchError {
  if (error instanceof FetchError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const transient = isTransientNetworkError(error) || (error as Error).name === "TimeoutError";
  return new FetchError(
    transient ? FETCH_ERROR_CODES.TRANSIENT : FETCH_ERROR_CODES.SOURCE_REFUSED,
    `downloading ${redact(request.uri)} failed after ${receivedBytes} bytes: ${message}`,
    { cause: error },
  );
}

/** Makes a rename durable; best effort (some filesystems refuse fsync on directories). */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r").catch(() => undefined);
  await handle?.sync().catch(() => {});
  await handle?.close();
}
