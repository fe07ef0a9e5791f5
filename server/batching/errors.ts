/**
 * Errors the batcher gives a request instead of running it. Each carries the HTTP status the server
 * answers with (`statusCode`, which fastify's error handling honours) and a message naming the model
 * version, the limit and the fix.
 */
export class BatchingError extends Error {
  override readonly name: string = "BatchingError";
  constructor(
    message: string,
    /** HTTP status for the response: 400 for a bad request, 503 for a full or slow queue. */
    readonly statusCode: 400 | 503,
  ) {
    super(message);
  }
}

/** The model version's queue already holds `maxQueueSize` requests; refused at once. */
export class QueueFullError extends BatchingError {
  override readonly name = "QueueFullError";
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
  override readonly name = "QueueTimeoutError";
  constructor(label: string, queueTimeoutMs: number) {
    super(
      `${label}: the request waited more than ${queueTimeoutMs} ms in the queue (queueTimeoutMs) and was ` +
        `not run; retry later, add replicas or raise queueTimeoutMs`,
      503,
    );
  }
}

/** The request's tensors cannot be batched as sent (rows disagree, or more rows than `maxBatchSize`). */
export class BatchRequestError extends BatchingError {
  override readonly name = "BatchRequestError";
  constructor(label: string, problem: string) {
    super(`${label}: ${problem}`, 400);
  }
}
