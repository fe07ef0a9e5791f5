/**
 * One model instance on a worker thread that comes back after a failure. When its {@link WorkerSession}
 * dies (out of memory, a crash, a run past its deadline), the request it was running gets its 5xx, and a
 * new worker is started from the same model bytes: at once after the first failure, then with doubling
 * delays ({@link RESTART_BACKOFF_MS}) while starts keep failing. Requests that arrive while a start is
 * under way wait for it; requests that arrive while it backs off are refused with 503. `onAvailability`
 * reports each change, so the model (and the server) turn unready while no instance works.
 *
 * A worker retired by a deadline still finishes its onnxruntime run (it cannot be stopped mid-run without
 * aborting the process). Its replacement starts at once, but while more than {@link MAX_RETIRED_WORKERS}
 * retired workers of this instance are still running, the next replacement waits for one to end: a client that
 * keeps sending runs past the deadline cannot pile up threads that compute for nobody.
 */
import type { InferenceExecutor, InferOptions } from "../executor";
import type { Tensor } from "../tensor";
import { InstanceUnavailableError } from "./errors";
import type { ModelSource } from "./session";
import { WorkerSession, type WorkerSessionOptions } from "./worker-session";

/** Delay before the n-th restart in a row (n from 1): 0, then 100 ms doubling, capped at 10 s. */
export const RESTART_BACKOFF_MS = { first: 100, max: 10_000 } as const;

/** Retired workers (past a deadline, still inside onnxruntime) an instance may have before it stops replacing them. */
export const MAX_RETIRED_WORKERS = 1;

export function restartDelayMs(failuresInARow: number): number {
  if (failuresInARow <= 1) return 0;
  return Math.min(RESTART_BACKOFF_MS.first * 2 ** (failuresInARow - 2), RESTART_BACKOFF_MS.max);
}

export interface RestartingWorkerOptions extends Omit<WorkerSessionOptions, "onFailure"> {
  /** Told whenever the instance stops or starts working. @default - nothing */
  readonly onAvailability?: (available: boolean) => void;
  /** Told of every failure and failed restart (logs). @default - nothing */
  readonly onFault?: (message: string) => void;
}

export class RestartingWorker implements InferenceExecutor {
  private current: WorkerSession | undefined;
  private starting: Promise<WorkerSession> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private lastCause = "";
  private released = false;
  private readonly retired = new Set<WorkerSession>();
  /** Restarts so far (metrics, tests). */
  restarts = 0;

  private constructor(
    private readonly model: ModelSource,
    private readonly options: RestartingWorkerOptions,
  ) {}

  /** Starts the first worker; rejects (with the load error) when it cannot start. */
  static async start(model: ModelSource, options: RestartingWorkerOptions = {}): Promise<RestartingWorker> {
    const instance = new RestartingWorker(model, options);
    instance.current = await WorkerSession.load(model, instance.sessionOptions());
    return instance;
  }

  /** Whether a working worker is there now. */
  get available(): boolean {
    return this.current?.usable === true;
  }

  private sessionOptions(): WorkerSessionOptions {
    return { ...this.options, onFailure: (error) => this.onFailure(error) };
  }

  private onFailure(error: Error): void {
    const failed = this.current;
    if (failed?.retired) {
      this.retired.add(failed);
      void failed.exited.then(() => this.retired.delete(failed));
    }
    this.current = undefined;
    this.failuresInARow++;
    this.lastCause = error.message;
    this.options.onFault?.(error.message);
    this.options.onAvailability?.(false);
    this.schedule();
  }

  private schedule(): void {
    if (this.released) return;
    if (this.retired.size > MAX_RETIRED_WORKERS) {
      void Promise.race([...this.retired].map((worker) => worker.exited)).then(() => this.schedule());
      return;
    }
    const delay = restartDelayMs(this.failuresInARow);
    if (delay === 0) this.restart();
    else this.timer = setTimeout(() => this.restart(), delay);
  }

  private restart(): void {
    this.timer = undefined;
    if (this.released) return;
    this.restarts++;
    const starting = WorkerSession.load(this.model, this.sessionOptions());
    this.starting = starting;
    starting.then(
      (session) => {
        this.starting = undefined;
        if (this.released) {
          void session.release();
          return;
        }
        this.current = session;
        this.options.onAvailability?.(true);
      },
      (error: Error) => {
        this.starting = undefined;
        this.failuresInARow++;
        this.lastCause = error.message;
        this.options.onFault?.(`restart failed: ${error.message}`);
        this.schedule();
      },
    );
  }

  infer(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    options?: InferOptions,
  ): Promise<Tensor[]> {
    const session = this.current;
    if (!session?.usable) return this.inferOnceStarted(inputs, outputNames, options);
    // The common case, a working worker: one promise reaction (docs/benchmark.md, the worker hop), and a
    // failure is still a rejection, never a throw.
    try {
      return session.infer(inputs, outputNames, options).then(this.succeeded);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private readonly succeeded = (outputs: Tensor[]): Tensor[] => {
    this.failuresInARow = 0;
    return outputs;
  };

  /** A run while no worker works: waits for one being started, else refuses (503). */
  private async inferOnceStarted(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    options?: InferOptions,
  ): Promise<Tensor[]> {
    let session = this.current;
    if (session === undefined && this.starting !== undefined) {
      session = await this.starting.catch(() => undefined);
    }
    if (session === undefined || !session.usable) {
      throw new InstanceUnavailableError(this.options.label ?? this.model.path, this.lastCause);
    }
    return session.infer(inputs, outputNames, options).then(this.succeeded);
  }

  /** Ends the worker and every pending restart. */
  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    await this.starting?.then(
      (session) => session.release(),
      () => undefined,
    );
    await this.current?.release();
    this.current = undefined;
  }
}
