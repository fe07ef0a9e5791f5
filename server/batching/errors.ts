/**
 * Errors the batcher gives a request instead of running it: protocol errors, so the app answers with
 * their status (400 for a request that cannot be batched as sent, 503 for a full or slow queue) and a
 * message naming the model version, the limit and the fix.
 */
import { ProtocolError } from "../protocol/errors";

export class BatchingError extends ProtocolError {
  constructor(message: string, statusCode: 400 | 503) {
    super(statusCode, message);
  }
}

/** The model version's queue already holds `maxQueueSize` requests; refused at once. */
export class QueueFullError extends BatchingError {
  constructor(label: string, maxQueueSize: number) {
    super(
      `${label}: the queue is full (${maxQueueSize} requests waiting, maxQueueSize); retry later, add ` +
        `replicas or raise maxQueueSize`,
      503,
    );
  }
}

/** The request waited in the queue longer than `queueTimeoutMs`; it was not run. */
export class QueueTimeoutError extends BatchingError {
  constructor(label: string, queueTimeoutMs: number) {
    super(
      `${label}: the request waited more than ${queueTimeoutMs} ms in the queue (queueTimeoutMs) and was ` +
        `not run; retry later, add replicas or raise queueTimeoutMs`,
      503,
    );
  }
}

/** The request's client closed its connection while the request was queued; it was dropped, not run. */
export class ClientGoneError extends BatchingError {
  constructor(label: string) {
    super(`${label}: the client closed its connection while the request was queued; it was not run`, 503);
  }
}

/** The request's tensors cannot be batched as sent (rows disagree, or more rows than `maxBatchSize`). */
export class BatchRequestError extends BatchingError {
  constructor(label: string, problem: string) {
    super(`${label}: ${problem}`, 400);
  }
}

/** The request carries more BYTES elements than `--max-bytes-elements` allows; refused before it runs. */
export class BytesElementsError extends ProtocolError {
  constructor(label: string, elements: number, limit: number) {
    super(
      413,
      `${label}: the request carries ${elements} BYTES elements, more than the ${limit} one request may ` +
        `(--max-bytes-elements); split it into smaller requests`,
    );
  }
}

/** The server is shutting down: the model version takes no new requests. */
export class ShuttingDownError extends BatchingError {
  constructor(label: string) {
    super(`${label}: the server is shutting down and takes no new requests; retry on another replica`, 503);
  }
}
