/**
 * The dynamic batcher of one model version: queues requests, joins compatible ones along dim 0, runs each
 * batch once on an idle instance (session) of the model, and hands every request exactly its own rows.
 *
 * Scheduling, in short (docs/server.md has the long form):
 * - a request that finds an idle instance and an empty queue runs at once, alone, untouched (no copy, no
 *   timer): the unloaded case pays nothing; the first such request of an event-loop turn runs within the
 *   call on an instance on this thread (`runNow`), later ones of the same turn in a later turn;
 * - while every instance is busy, requests queue (at most `maxQueueSize`; beyond it 503 at once);
 * - when an instance frees up, it takes the oldest request plus every later compatible one (same inputs,
 *   datatypes, non-batch dims and outputs) up to `maxBatchSize` rows. If fewer rows wait than the batch it
 *   just finished plus those queued then (the recent concurrency), it holds back up to
 *   `maxQueueDelayMicroseconds` for the rest to arrive, so closed-loop clients do not settle into
 *   alternating big and tiny batches;
 * - a request queued longer than `queueTimeoutMs` is answered 503 and never run;
 * - a queued request whose client has closed its connection (`InferOptions.abandoned`) is dropped when it
 *   would start, never run: overloaded, the instances serve the clients still waiting.
 */
import type { InferOptions } from "../executor";
import { type ModelMetrics, NO_MODEL_METRICS } from "../metrics/model-metrics";
import { OutputTooLargeError } from "../runtime/errors";
import { type BytesData, bytesCount, outputByteLength, type Tensor } from "../tensor";
import {
  BatchRequestError,
  BytesElementsError,
  ClientGoneError,
  QueueFullError,
  QueueTimeoutError,
  ShuttingDownError,
} from "./errors";
import type { BatchingOptions } from "./options";
import { concatRows, sliceRows } from "./rows";

/** One instance of a model (a session) that runs tensors; the shape of the server's InferenceExecutor. */
export interface BatchRunner {
  infer(inputs: readonly Tensor[], outputNames: readonly string[], options?: InferOptions): Promise<Tensor[]>;
}

export interface DynamicBatcherOptions extends BatchingOptions {
  /** Names the model version in error messages, e.g. `model "wide" version 1`. */
  readonly label: string;
  /**
   * Whether requests may be joined (every input and output has a dynamic first dim, see `batchability`).
   * When false each request runs alone, still queued for the instances under the same limits.
   */
  readonly batchable: boolean;
  /**
   * Where the batcher reports queue depth, queue time, batch rows and compute time (`/metrics`).
   * @default - reports nowhere
   */
  readonly metrics?: ModelMetrics;
  /**
   * Most bytes one request's outputs may hold (`--max-response-bytes`): instances that can check inside
   * the run get the batch's share, and every request's own outputs are checked before they are answered.
   * @default - no limit
   */
  readonly maxResponseBytes?: number;
  /**
   * Most BYTES elements one request may carry, all inputs together (`--max-bytes-elements`): each becomes
   * a string on its instance's thread. More are refused with 413 before anything is queued or run.
   * @default - no limit
   */
  readonly maxBytesElements?: number;
}

/** Counters for metrics and tests. */
export interface BatcherStats {
  /** Requests waiting in the queue now. */
  readonly queuedRequests: number;
  /** Batches running now (at most the number of instances). */
  readonly runningBatches: number;
  /** Batches run so far, rows and requests in them. */
  readonly batches: number;
  readonly rows: number;
  readonly requests: number;
  /** Requests refused because the queue was full, and requests expired in the queue. */
  readonly refusedQueueFull: number;
  readonly timedOut: number;
  /** Queued requests dropped unrun because their client had closed its connection. */
  readonly abandoned: number;
}

interface Pending {
  readonly inputs: readonly Tensor[];
  readonly outputNames: readonly string[];
  readonly key: string;
  readonly rows: number;
  readonly enqueuedAt: number;
  readonly abandoned: (() => boolean) | undefined;
  readonly resolve: (outputs: Tensor[]) => void;
  readonly reject: (error: unknown) => void;
}

export class DynamicBatcher implements BatchRunner {
  private readonly idle: BatchRunner[];
  private queue: Pending[] = [];
  private queuedRows = 0;
  /** Rows an idle instance waits for before running a partial batch (0: run whatever waits). */
  private fillTarget = 0;
  private fillDeadline = 0;
  private fillTimer: NodeJS.Timeout | undefined;
  /** The fill deadline the armed fill timer was set for (a later batch may have moved the deadline on). */
  private fillTimerDeadline = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly maxDelayMs: number;
  private readonly metrics: ModelMetrics;
  /** Joins requests: the model allows it and maxBatchSize is above 1 (1 turns batching off). */
  private readonly batchable: boolean;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private counters = {
    runningBatches: 0,
    batches: 0,
    rows: 0,
    requests: 0,
    refusedQueueFull: 0,
    timedOut: 0,
    abandoned: 0,
  };

  /**
   * @param instances the model's sessions; each runs one batch at a time.
   * @param owned what {@link close} frees (the instances made for this batcher, not shared ones).
   */
  constructor(
    instances: readonly BatchRunner[],
    private readonly options: DynamicBatcherOptions,
    private readonly owned: readonly { release(): Promise<void> }[] = [],
  ) {
    if (instances.length === 0) throw new Error(`${options.label}: a batcher needs at least one instance`);
    this.idle = [...instances];
    this.maxDelayMs = options.maxQueueDelayMicroseconds / 1000;
    this.metrics = options.metrics ?? NO_MODEL_METRICS;
    this.batchable = options.batchable && options.maxBatchSize > 1;
    this.maxResponseBytes = options.maxResponseBytes;
  }

  /**
   * Shutdown: refuses new requests (503), runs what is queued without holding back, waits for running
   * batches, then frees the instances this batcher owns.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.fillTarget = 0;
    this.dispatch();
    while (this.queue.length > 0 || this.counters.runningBatches > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    clearTimeout(this.fillTimer);
    clearTimeout(this.expiryTimer);
    await Promise.all(this.owned.map((instance) => instance.release()));
  }

  get stats(): BatcherStats {
    return { queuedRequests: this.queue.length, ...this.counters };
  }

  infer(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    options?: InferOptions,
  ): Promise<Tensor[]> {
    if (this.closing) return Promise.reject(new ShuttingDownError(this.options.label));
    const maxBytesElements = this.options.maxBytesElements;
    if (maxBytesElements !== undefined) {
      let elements = 0;
      for (const input of inputs)
        if (input.datatype === "BYTES") elements += bytesCount(input.data as BytesData);
      if (elements > maxBytesElements) {
        return Promise.reject(new BytesElementsError(this.options.label, elements, maxBytesElements));
      }
    }
    let rows = 1;
    let key = "";
    if (this.batchable) {
      try {
        rows = this.rowsOf(inputs);
      } catch (error) {
        return Promise.reject(error);
      }
      if (
        this.queue.length === 0 &&
        this.idle.length > 0 &&
        (rows >= this.fillTarget || performance.now() >= this.fillDeadline)
      ) {
        return this.runAlone(inputs, outputNames, rows);
      }
      key = compatibilityKey(inputs, outputNames);
    } else if (this.queue.length === 0 && this.idle.length > 0) {
      return this.runAlone(inputs, outputNames, 1);
    }
    if (this.queue.length >= this.options.maxQueueSize) {
      this.counters.refusedQueueFull++;
      return Promise.reject(new QueueFullError(this.options.label, this.options.maxQueueSize));
    }
    return new Promise<Tensor[]>((resolve, reject) => {
      this.queue.push({
        inputs,
        outputNames,
        key,
        rows,
        enqueuedAt: performance.now(),
        abandoned: options?.abandoned,
        resolve,
        reject,
      });
      this.queuedRows += rows;
      this.metrics.setQueueDepth(this.queue.length);
      if (this.options.queueTimeoutMs > 0 && this.expiryTimer === undefined) this.armExpiry();
      this.dispatch();
    });
  }

  /** Rows of a request: the shared first dim of its inputs. Throws a 400 error when they disagree. */
  private rowsOf(inputs: readonly Tensor[]): number {
    const first = inputs[0];
    if (first === undefined) throw new BatchRequestError(this.options.label, "the request has no inputs");
    const rows = first.shape.length > 0 ? first.shape[0]! : -1;
    for (const input of inputs) {
      if (input.shape.length === 0 || input.shape[0] !== rows) {
        throw new BatchRequestError(
          this.options.label,
          `every input's first dimension counts the request's rows and must agree, but "${first.name}" ` +
            `has shape [${first.shape.join(", ")}] and "${input.name}" has shape [${input.shape.join(", ")}]`,
        );
      }
    }
    if (rows > this.options.maxBatchSize) {
      throw new BatchRequestError(
        this.options.label,
        `the request has ${rows} rows but this model version runs at most ${this.options.maxBatchSize} ` +
          `rows at once (maxBatchSize); split the request or raise batching.maxBatchSize in its config.json`,
      );
    }
    return rows;
  }

  private runAlone(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    rows: number,
  ): Promise<Tensor[]> {
    const instance = this.idle.pop()!;
    this.fillTarget = 0;
    this.counters.runningBatches++;
    this.metrics.observeQueueSeconds(0);
    this.metrics.observeBatchRows(rows);
    const started = performance.now();
    // The first lone request of an event-loop turn runs within this call on an instance that can (one on
    // this thread): nothing else was read in this turn to join it. Later ones of the same turn run in a
    // later turn, as before, so that the requests read meanwhile queue behind them and form a batch: a
    // burst read in one turn must not run row by row.
    const runNow = !this.ranNowThisTurn;
    if (runNow) {
      this.ranNowThisTurn = true;
      setImmediate(this.endTurn);
    }
    let result: Promise<Tensor[]>;
    try {
      result = instance.infer(inputs, outputNames, this.runOptions(1, false, runNow));
    } catch (error) {
      result = Promise.reject(error);
    }
    // One reaction for the instance's bookkeeping and the answer's bound: a lone request is the common case
    // at low load, where every promise is a measurable share of a small model's request.
    return result.then(
      (outputs) => {
        this.finished(instance, rows, 1, started);
        return this.maxResponseBytes === undefined ? outputs : this.bounded(outputs);
      },
      (error: unknown) => {
        this.finished(instance, rows, 1, started);
        throw error;
      },
    );
  }

  private readonly maxResponseBytes: number | undefined;

  /** Whether a lone request already ran within its call in this turn of the event loop. */
  private ranNowThisTurn = false;
  private readonly endTurn = (): void => {
    this.ranNowThisTurn = false;
  };

  /** What an instance is told about a run of `requests` requests. */
  private runOptions(requests: number, disposable: boolean, runNow = false): InferOptions | undefined {
    if (this.maxResponseBytes === undefined) return runNow ? RUN_NOW : disposable ? DISPOSABLE : undefined;
    return { inputsDisposable: disposable, maxOutputBytes: this.maxResponseBytes * requests, runNow };
  }

  /** One request's outputs, or an error when they exceed maxResponseBytes. */
  private bounded(outputs: Tensor[]): Tensor[] {
    const bytes = outputByteLength(outputs);
    if (this.maxResponseBytes !== undefined && bytes > this.maxResponseBytes) {
      throw new OutputTooLargeError(this.options.label, bytes, this.maxResponseBytes);
    }
    return outputs;
  }

  /** Starts batches while an instance is idle and requests wait (holding back for a fill target). */
  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      if (this.dropAbandonedHead()) continue;
      if (this.queuedRows < this.fillTarget) {
        const now = performance.now();
        if (now < this.fillDeadline) {
          if (this.fillTimer === undefined) {
            this.fillTimerDeadline = this.fillDeadline;
            this.fillTimer = setTimeout(this.onFillTimer, this.fillDeadline - now);
          }
          return;
        }
      }
      this.fillTarget = 0;
      this.startBatch(this.idle.pop()!, this.takeBatch());
    }
  }

  private readonly onFillTimer = (): void => {
    this.fillTimer = undefined;
    // Timers have millisecond resolution and may fire a hair early: the deadline they were armed for is over.
    if (this.fillTimerDeadline === this.fillDeadline) this.fillTarget = 0;
    this.dispatch();
  };

  /**
   * Drops the requests at the head of the queue whose client has gone (true when it dropped any). The
   * head is what starts next; an abandoned request further back is dropped when it reaches the head or
   * when a batch would take it.
   */
  private dropAbandonedHead(): boolean {
    let gone = 0;
    while (gone < this.queue.length && this.queue[gone]!.abandoned?.() === true) gone++;
    if (gone === 0) return false;
    for (const request of this.queue.slice(0, gone)) this.drop(request);
    this.queue = this.queue.slice(gone);
    this.metrics.setQueueDepth(this.queue.length);
    if (this.queue.length === 0) this.notifyIfIdle();
    return true;
  }

  /** Rejects a queued request whose client has gone, without running it. */
  private drop(request: Pending): void {
    this.queuedRows -= request.rows;
    this.counters.abandoned++;
    request.reject(new ClientGoneError(this.options.label));
  }

  /** Removes and returns the oldest request and the later compatible ones that fit in one batch. */
  private takeBatch(): Pending[] {
    const queue = this.queue;
    const head = queue[0]!;
    const batch = [head];
    let rows = head.rows;
    let index = 1;
    if (this.batchable) {
      const max = this.options.maxBatchSize;
      let skipped: Pending[] | undefined;
      for (; index < queue.length && rows < max; index++) {
        const next = queue[index]!;
        if (next.abandoned?.() === true) {
          this.drop(next);
          continue;
        }
        if (next.key !== head.key) {
          if (skipped === undefined) skipped = [next];
          else skipped.push(next);
          continue;
        }
        // Keep arrival order among compatible requests: stop at the first one that does not fit.
        if (rows + next.rows > max) break;
        batch.push(next);
        rows += next.rows;
      }
      if (skipped !== undefined) {
        this.queue = index < queue.length ? skipped.concat(queue.slice(index)) : skipped;
      } else {
        this.queue = index < queue.length ? queue.slice(index) : [];
      }
    } else {
      this.queue = queue.slice(1);
    }
    this.queuedRows -= rows;
    this.metrics.setQueueDepth(this.queue.length);
    return batch;
  }

  private startBatch(instance: BatchRunner, batch: readonly Pending[]): void {
    const first = batch[0]!;
    let rows = first.rows;
    let inputs = first.inputs;
    // A joined batch is fresh memory no one else holds: the instance may take it rather than copy it.
    const lent = this.runOptions(batch.length, batch.length > 1);
    if (batch.length > 1) {
      for (let i = 1; i < batch.length; i++) rows += batch[i]!.rows;
      inputs = first.inputs.map((_, index) =>
        concatRows(
          batch.map((request) => request.inputs[index]!),
          rows,
        ),
      );
    }
    this.counters.runningBatches++;
    const started = performance.now();
    for (const request of batch) this.metrics.observeQueueSeconds((started - request.enqueuedAt) / 1000);
    this.metrics.observeBatchRows(rows);
    let result: Promise<Tensor[]>;
    try {
      result = instance.infer(inputs, first.outputNames, lent);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (outputs) => {
        this.finished(instance, rows, batch.length, started);
        if (batch.length === 1) this.answer(first, outputs);
        else this.fanOut(batch, rows, outputs);
      },
      (error: unknown) => {
        this.finished(instance, rows, batch.length, started);
        for (const request of batch) request.reject(error);
      },
    );
  }

  /** Gives each request of a finished batch its own rows of every output, in order. */
  private fanOut(batch: readonly Pending[], rows: number, outputs: Tensor[]): void {
    for (const output of outputs) {
      if (output.shape[0] !== rows) {
        const error = new Error(
          `${this.options.label}: output "${output.name}" has shape [${output.shape.join(", ")}], whose ` +
            `first dimension is not the batch's ${rows} rows, so it cannot be split back per request; ` +
            `set batching.maxBatchSize to 1 in this model's config.json`,
        );
        for (const request of batch) request.reject(error);
        return;
      }
    }
    let start = 0;
    for (const request of batch) {
      const own = outputs.map((output) => sliceRows(output, start, request.rows));
      start += request.rows;
      this.answer(request, own);
    }
  }

  private answer(request: Pending, outputs: Tensor[]): void {
    if (this.maxResponseBytes === undefined) request.resolve(outputs);
    else {
      try {
        request.resolve(this.bounded(outputs));
      } catch (error) {
        request.reject(error);
      }
    }
  }

  /** An instance is idle again: count its batch, set the next fill target, start what waits. */
  private finished(instance: BatchRunner, rows: number, requests: number, started: number): void {
    this.metrics.observeComputeSeconds((performance.now() - started) / 1000);
    this.counters.runningBatches--;
    this.counters.batches++;
    this.counters.rows += rows;
    this.counters.requests += requests;
    this.idle.push(instance);
    if (this.maxDelayMs > 0 && this.batchable && !this.closing) {
      // The requests of the batch just finished are likely to come back (closed-loop clients): wait for
      // them as well as for those already queued, up to the queue delay.
      this.fillTarget = Math.min(this.options.maxBatchSize, rows + this.queuedRows);
      this.fillDeadline = performance.now() + this.maxDelayMs;
    }
    if (this.queue.length > 0) this.dispatch();
    else this.notifyIfIdle();
  }

  /** Wakes {@link close} once nothing is queued or running. */
  private notifyIfIdle(): void {
    if (this.queue.length === 0 && this.counters.runningBatches === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private armExpiry(): void {
    const head = this.queue[0];
    if (head === undefined) return;
    const wait = head.enqueuedAt + this.options.queueTimeoutMs - performance.now();
    this.expiryTimer = setTimeout(this.onExpiryTimer, Math.max(0, wait));
  }

  private readonly onExpiryTimer = (): void => {
    this.expiryTimer = undefined;
    const deadline = performance.now() - this.options.queueTimeoutMs;
    // The queue stays in arrival order, so the expired requests are a prefix.
    let expired = 0;
    while (expired < this.queue.length && this.queue[expired]!.enqueuedAt <= deadline) expired++;
    if (expired > 0) {
      const gone = this.queue.slice(0, expired);
      this.queue = this.queue.slice(expired);
      this.metrics.setQueueDepth(this.queue.length);
      for (const request of gone) {
        this.queuedRows -= request.rows;
        this.counters.timedOut++;
        request.reject(new QueueTimeoutError(this.options.label, this.options.queueTimeoutMs));
      }
    }
    if (this.queue.length > 0) this.armExpiry();
    else this.notifyIfIdle();
  };
}

const DISPOSABLE: InferOptions = { inputsDisposable: true };
const RUN_NOW: InferOptions = { runNow: true };

/** Requests with equal keys can share a batch: same inputs in the same order, datatypes, non-batch dims, outputs. */
function compatibilityKey(inputs: readonly Tensor[], outputNames: readonly string[]): string {
  let key = "";
  for (const input of inputs) {
    key += `${input.name}\u0000${input.datatype}`;
    for (let dim = 1; dim < input.shape.length; dim++) key += `,${input.shape[dim]}`;
    key += "\u0001";
  }
  for (const name of outputNames) key += `${name}\u0000`;
  return key;
}
