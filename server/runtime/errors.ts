/**
 * Failures of a model instance, as protocol errors so the app answers them with their status: a run past
 * its deadline is 504, a run lost because its worker thread died is 500, a request that finds no working
 * instance is 503 (retry: another replica, or this one once the instance is back), and an answer larger
 * than `--max-response-bytes` is 400 (the request asked for it).
 */
import { ProtocolError } from "../protocol/errors";

/** The run took longer than `--inference-timeout-ms`; its worker thread was terminated and is replaced. */
export class InferenceTimeoutError extends ProtocolError {
  constructor(label: string, timeoutMs: number) {
    super(
      504,
      `${label}: the inference ran longer than ${timeoutMs} ms (--inference-timeout-ms) and was stopped; its ` +
        `instance is being replaced. Send smaller inputs, or raise --inference-timeout-ms`,
    );
  }
}

/** The worker thread running the request died (out of memory, crashed); it is being restarted. */
export class InstanceFailedError extends ProtocolError {
  constructor(label: string, cause: string) {
    super(500, `${label}: the instance running this request failed (${cause}); it is being restarted`);
  }
}

/** No working instance right now (restarting after a failure). */
export class InstanceUnavailableError extends ProtocolError {
  constructor(label: string, cause: string) {
    super(503, `${label}: no working instance (${cause}); retry later or on another replica`);
  }
}

/** A JSON answer's text passed `--max-response-bytes` while it was being encoded. */
export class OutputTooLargeJsonError extends ProtocolError {
  constructor(label: string, limit: number) {
    super(
      400,
      `${label}: the JSON answer to this request passed the ${limit} bytes a response may carry ` +
        `(--max-response-bytes); ask for fewer outputs, or for binary data (the binary tensor extension)`,
    );
  }
}

/** The outputs asked for would exceed `--max-response-bytes`. */
export class OutputTooLargeError extends ProtocolError {
  constructor(label: string, bytes: number, limit: number) {
    super(
      400,
      `${label}: the outputs of this request hold ${bytes} bytes, more than the ${limit} bytes a response ` +
        `may carry (--max-response-bytes); ask for fewer or smaller outputs`,
    );
  }
}
