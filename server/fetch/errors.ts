/**
 * Stable codes of `onnxfleet-server fetch` failures, so callers and tests can match on them.
 * Codes never change meaning once published; add new ones at the end.
 */
export const FETCH_ERROR_CODES = {
  /** The URI, digest, destination or a flag is malformed or not allowed. Not retried. */
  INVALID_REQUEST: "ONNXFLEET_FETCH_INVALID_REQUEST",
  /** The downloaded bytes do not hash to the pinned sha256. Not retried. */
  DIGEST_MISMATCH: "ONNXFLEET_FETCH_DIGEST_MISMATCH",
  /** The source refused or lacks the object (403, 404, TLS verification failure, ...). Not retried. */
  SOURCE_REFUSED: "ONNXFLEET_FETCH_SOURCE_REFUSED",
  /** A failure worth retrying (network error, 5xx, throttling, truncated body) that persisted. */
  TRANSIENT: "ONNXFLEET_FETCH_TRANSIENT",
} as const;

export type FetchErrorCode = (typeof FETCH_ERROR_CODES)[keyof typeof FETCH_ERROR_CODES];

/** A fetch failure with a stable `code`; `transient` tells the retry loop whether to try again. */
export class FetchError extends Error {
  readonly code: FetchErrorCode;
  constructor(code: FetchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FetchError";
    this.code = code;
  }

  /** Whether trying again may succeed. */
  get transient(): boolean {
    return this.code === FETCH_ERROR_CODES.TRANSIENT;
  }
}

/** A `FetchError` for a malformed or disallowed request. */
export function invalidRequest(message: string): FetchError {
  return new FetchError(FETCH_ERROR_CODES.INVALID_REQUEST, message);
}

/** Node.js system error codes of failures that a later attempt may not meet (connection-level). */
const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

/** Whether `error` is a connection-level failure (reset, refused, timeout, DNS, premature close). */
export function isTransientNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && TRANSIENT_SYSTEM_CODES.has(code)) return true;
  return error.message === "aborted" || error.message === "socket hang up";
}

/** Whether an HTTP status is worth retrying: request timeout, throttling, and server errors. */
export function isTransientStatus(statusCode: number): boolean {
  return statusCode === 408 || statusCode === 429 || statusCode >= 500;
}
