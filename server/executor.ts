import type { Tensor } from "./tensor";

/** How a caller lends its inputs to {@link InferenceExecutor.infer}. */
export interface InferOptions {
  /**
   * The inputs' numeric buffers belong to this call alone, so the executor may take them (transfer them to
   * its worker thread, which leaves them detached here) instead of copying them. Set it only for tensors
   * whose data spans its whole ArrayBuffer and that nothing reads afterwards, like a batch the batcher
   * has just concatenated; never for views on request bodies or pooled Buffers.
   * @default false
   */
  readonly inputsDisposable?: boolean;
  /**
   * Most bytes the run's outputs may hold (raw tensor bytes; BYTES elements count 4 more each). An
   * executor that can check before handing the outputs over refuses a larger answer with a 400
   * (`OutputTooLargeError`); the app checks every response again (`--max-response-bytes`).
   * @default - no limit
   */
  readonly maxOutputBytes?: number;
  /**
   * Run within this call when the executor runs on the calling thread, rather than in a later turn of the
   * event loop. The batcher asks it for a lone request that is the first of its turn: nothing else was read
   * in that turn to join it, and the deferral would only add to its latency. Executors on other threads
   * ignore it.
   * @default false
   */
  readonly runNow?: boolean;
  /**
   * Whether the caller still wants the answer: true once its client has closed the connection. An executor
   * that queues (the dynamic batcher) drops such a request instead of running it, so that a queue left by
   * clients that gave up (timed out, retried elsewhere) costs no compute. Asked when the request would start.
   * @default - the answer is always wanted
   */
  readonly abandoned?: () => boolean;
}

/**
 * What the app calls to run one model version. The default executor is the runtime session itself;
 * a dynamic batcher wraps one executor in another with the same interface.
 */
export interface InferenceExecutor {
  /**
   * Runs the model on validated inputs (every model input, in any order) and returns the named outputs,
   * in the order asked.
   */
  infer(inputs: readonly Tensor[], outputNames: readonly string[], options?: InferOptions): Promise<Tensor[]>;
  /**
   * Called once when the server shuts down, before the underlying session is released: finish or fail
   * whatever is queued. Optional; the plain session executor has nothing to do.
   */
  close?(): Promise<void>;
}
