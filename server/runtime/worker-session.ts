/**
 * A model session on a worker thread. onnxruntime-node runs `session.run` synchronously on the thread
 * that calls it (it only defers the call with setImmediate), so a session on the main thread stops all
 * HTTP work while it computes. A WorkerSession keeps the event loop free: parsing, encoding and socket
 * work overlap inference. Inputs are transferred to the worker: a batch the batcher lends as disposable
 * goes as it is, any other input is first copied into a buffer of its own (it may be a view on a request
 * body). Outputs are transferred back. Transferring beats structured cloning by about 0.1 ms per 128 KiB.
 *
 * Faults stay inside the worker: its V8 heap is capped (`resourceLimits`), so running out of memory ends
 * the worker, not the process; an answer larger than the run's output limit is refused inside the worker,
 * before it is copied anywhere. A run past its deadline is answered 504 at once and the worker is retired:
 * it takes no more work and ends as soon as onnxruntime returns. (It is not terminated mid-run: a worker
 * terminated while inside onnxruntime-node aborts the whole process when the native call returns.) A
 * WorkerSession that failed stays failed (every later call is refused) and says so once through
 * `onFailure`; replacing it is RestartingWorker's job.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { InferenceExecutor, InferOptions } from "../executor";
import { type BytesData, type NumericDatatype, type Tensor, TYPED_ARRAY_OF } from "../tensor";
import { fromOrtTensor, ORT_TYPE_OF } from "./convert";
import { InferenceTimeoutError, InstanceFailedError, OutputTooLargeError } from "./errors";
import { ModelLoadError, type ModelSource, ortSessionOptions, type SessionOptions } from "./session";

/** The worker's program (CommonJS, evaluated): one onnxruntime session, one request at a time. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.onnxruntimePath);
const messageOf = (error) => String((error && error.message) || error);
// BYTES tensors cross the thread boundary packed (server/tensor.ts BytesData): strings exist only here.
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");
const unpack = ({ bytes, offsets }) => {
  const strings = new Array(offsets.length - 1);
  for (let i = 0; i < strings.length; i++) strings[i] = decoder.decode(bytes.subarray(offsets[i], offsets[i + 1]));
  return strings;
};
const pack = (strings) => {
  const offsets = new Uint32Array(strings.length + 1);
  for (let i = 0; i < strings.length; i++) offsets[i + 1] = offsets[i] + Buffer.byteLength(strings[i], "utf8");
  const bytes = new Uint8Array(offsets[strings.length]);
  for (let i = 0; i < strings.length; i++) encoder.encodeInto(strings[i], bytes.subarray(offsets[i], offsets[i + 1]));
  return { bytes, offsets };
};
ort.InferenceSession.create(workerData.model, workerData.sessionOptions).then(
  (session) => {
    parentPort.postMessage({ id: -1 });
    parentPort.on("message", async (request) => {
      if (request.release) {
        await session.release();
        parentPort.close();
        return;
      }
      try {
        const feeds = {};
        for (const feed of request.feeds) {
          // FP16 on Node 24+: keep the Uint16Array the binding can read (see halfTensor in ./convert.ts).
          if (feed.type === "string") {
            feeds[feed.name] = new ort.Tensor("string", unpack(feed.data), feed.dims);
            continue;
          }
          const tensor = new ort.Tensor(feed.type, feed.data, feed.dims);
          feeds[feed.name] =
            tensor.data === feed.data ? tensor : Object.create(tensor, { data: { value: feed.data, enumerable: true } });
        }
        const results = await session.run(feeds, request.outputNames);
        const outputs = [];
        const transfer = new Set();
        let bytes = 0;
        for (const name of request.outputNames) {
          const value = results[name];
          if (value === undefined) throw new Error('onnxruntime returned no output "' + name + '"');
          let data = value.data;
          if (ArrayBuffer.isView(data)) bytes += data.byteLength;
          else {
            data = pack(data);
            bytes += 4 * (data.offsets.length - 1) + data.bytes.length;
            transfer.add(data.offsets.buffer);
          }
          transfer.add(ArrayBuffer.isView(data) ? data.buffer : data.bytes.buffer);
          outputs.push({ name, type: value.type, dims: value.dims, data });
        }
        if (request.maxOutputBytes !== undefined && bytes > request.maxOutputBytes) {
          parentPort.postMessage({ id: request.id, tooLarge: bytes });
          return;
        }
        try {
          parentPort.postMessage({ id: request.id, outputs }, [...transfer]);
        } catch {
          parentPort.postMessage({ id: request.id, outputs });
        }
      } catch (error) {
        parentPort.postMessage({ id: request.id, error: messageOf(error) });
      }
    });
  },
  (error) => parentPort.postMessage({ id: -1, error: messageOf(error) }),
);
`;

interface WorkerReply {
  readonly id: number;
  readonly error?: string;
  /** The run's outputs held this many bytes, more than the request's `maxOutputBytes`. */
  readonly tooLarge?: number;
  readonly outputs?: readonly { name: string; type: string; dims: readonly number[]; data: unknown }[];
}

interface Waiting {
  readonly resolve: (outputs: Tensor[]) => void;
  readonly reject: (error: Error) => void;
  readonly maxOutputBytes: number | undefined;
  timer?: NodeJS.Timeout;
}

/** Worker settings on top of the session's. */
export interface WorkerSessionOptions extends SessionOptions {
  /** Names the model version in error messages. @default - the model's path */
  readonly label?: string;
  /**
   * Deadline of one run, in milliseconds: past it the run is answered 504 and the worker is terminated
   * (onnxruntime cannot be interrupted any other way). @default - no deadline
   */
  readonly runTimeoutMs?: number;
  /** Cap on the worker's V8 heap (old generation), in MiB. @default - Node's default for workers */
  readonly heapLimitMb?: number;
  /** Called once when the worker stops being usable on its own (died, out of memory, past a deadline). */
  readonly onFailure?: (error: Error) => void;
}

type NumericData = Exclude<Tensor["data"], BytesData>;

/**
 * `data` itself when it may be taken (lent as disposable and spanning its whole, non-shared buffer), else
 * a copy in a buffer of its own, so that transferring it detaches nothing the caller still uses.
 */
function ownedOrCopied(datatype: NumericDatatype, data: NumericData, disposable: boolean): NumericData {
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (disposable && whole && data.buffer instanceof ArrayBuffer) return data;
  return new TYPED_ARRAY_OF[datatype](data as never) as NumericData;
}

/** Every session worker thread started and not yet exited, for {@link stopWorkerThreads}. */
const liveWorkers = new Map<Worker, { busy(): boolean }>();
/** Set by {@link stopWorkerThreads}: no worker thread takes new work. */
let stopping = false;

function busyWorkers(): number {
  let busy = 0;
  for (const state of liveWorkers.values()) if (state.busy()) busy++;
  return busy;
}

/**
 * The hard shutdown's end of the worker threads: they take no new work, runs in progress get up to
 * `timeoutMs` to finish, then the idle threads are terminated. Resolves with the number of threads still
 * inside onnxruntime then: a thread cannot be stopped there (terminating it, or `process.exit`, which
 * terminates and joins every thread, makes onnxruntime-node throw when the run returns, and the process
 * aborts with SIGABRT), so the caller must end the process without joining them (see `server/main.ts`).
 */
export async function stopWorkerThreads(timeoutMs: number): Promise<number> {
  stopping = true;
  const deadline = performance.now() + timeoutMs;
  while (busyWorkers() > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const idle = [...liveWorkers].filter(([, state]) => !state.busy()).map(([worker]) => worker);
  await Promise.all(idle.map((worker) => worker.terminate().catch(() => 0)));
  return busyWorkers();
}

/** Worker threads inside a run now (or with runs queued). */
export function workerThreadsBusy(): number {
  return busyWorkers();
}

/** Why a worker thread ended, in words. */
function exitCause(error: Error | undefined, code: number): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    return "its worker thread ran out of memory (--worker-heap-mb)";
  }
  if (error !== undefined) return `its worker thread failed: ${error.message}`;
  return `its worker thread exited (code ${code})`;
}

/** One onnxruntime session on its own worker thread; an {@link InferenceExecutor}. */
export class WorkerSession implements InferenceExecutor {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private failure: Error | undefined;
  private releasing = false;
  private lastError: Error | undefined;
  /** Settles once the worker thread has ended. */
  readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly label: string,
    private readonly options: WorkerSessionOptions,
  ) {
    // A worker retired by a deadline is still inside onnxruntime until it exits.
    liveWorkers.set(worker, { busy: () => this.waiting.size > 0 || this.retiring });
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    worker.on("message", (reply: WorkerReply) => this.onReply(reply));
    worker.on("error", (error) => {
      this.lastError = error;
    });
    worker.on("exit", (code) => this.fail(exitCause(this.lastError, code)));
  }

  /** Starts a worker thread and creates the model's session in it from the model's bytes. */
  static async load(model: ModelSource, options: WorkerSessionOptions = {}): Promise<WorkerSession> {
    const require = createRequire(__filename);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        model: model.bytes,
        onnxruntimePath: require.resolve("onnxruntime-node"),
        sessionOptions: ortSessionOptions(options, model.path),
      },
      ...(options.heapLimitMb === undefined
        ? {}
        : { resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb } }),
    });
    worker.once("exit", () => liveWorkers.delete(worker));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) =>
        reject(new ModelLoadError(`cannot load ${model.path} on a worker thread: ${error.message}`));
      const onExit = (code: number) =>
        reject(new ModelLoadError(`cannot load ${model.path}: the worker thread exited (code ${code})`));
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.once("message", (reply: WorkerReply) => {
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (reply.error === undefined) resolve();
        else {
          void worker.terminate();
          reject(new ModelLoadError(`cannot load ${model.path} on a worker thread: ${reply.error}`));
        }
      });
    });
    return new WorkerSession(worker, options.label ?? model.path, options);
  }

  /** False once the worker has failed or been released. */
  get usable(): boolean {
    return this.failure === undefined && !this.releasing;
  }

  infer(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    options?: InferOptions,
  ): Promise<Tensor[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (stopping) return Promise.reject(new Error("the server is shutting down: no new runs"));
    const id = this.nextId++;
    const transfer = new Set<ArrayBuffer>();
    const feeds = inputs.map((input) => {
      let data: unknown;
      if (input.datatype === "BYTES") {
        const packed = input.data as BytesData;
        const bytes = ownedOrCopied("UINT8", packed.bytes, options?.inputsDisposable === true);
        const offsets = ownedOrCopied("UINT32", packed.offsets, options?.inputsDisposable === true);
        transfer.add(bytes.buffer as ArrayBuffer);
        transfer.add(offsets.buffer as ArrayBuffer);
        data = { bytes, offsets };
      } else {
        const own = ownedOrCopied(
          input.datatype,
          input.data as NumericData,
          options?.inputsDisposable === true,
        );
        transfer.add(own.buffer as ArrayBuffer);
        data = own;
      }
      return { name: input.name, type: ORT_TYPE_OF[input.datatype], dims: input.shape, data };
    });
    const maxOutputBytes = options?.maxOutputBytes;
    return new Promise<Tensor[]>((resolve, reject) => {
      const waiting: Waiting = { resolve, reject, maxOutputBytes };
      this.waiting.set(id, waiting);
      try {
        this.worker.postMessage({ id, feeds, outputNames, maxOutputBytes }, [...transfer]);
      } catch (error) {
        this.waiting.delete(id);
        reject(error);
        return;
      }
      const timeoutMs = this.options.runTimeoutMs;
      if (timeoutMs !== undefined) {
        waiting.timer = setTimeout(() => this.timedOut(id, timeoutMs), timeoutMs);
      }
    });
  }

  /**
   * A run passed its deadline: answer it 504, take no more work, and end the worker once onnxruntime
   * returns (its reply, or its exit, arrives).
   */
  private timedOut(id: number, timeoutMs: number): void {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return;
    this.waiting.delete(id);
    this.retiring = true;
    waiting.reject(new InferenceTimeoutError(this.label, timeoutMs));
    this.fail(`a run took longer than ${timeoutMs} ms (--inference-timeout-ms)`);
  }

  private retiring = false;

  /** True after a run passed its deadline, until the worker has ended (it still runs onnxruntime). */
  get retired(): boolean {
    return this.retiring;
  }

  private onReply(reply: WorkerReply): void {
    if (this.retiring && this.waiting.size === 0) {
      // The run that passed its deadline has returned: the worker is out of onnxruntime, end it.
      this.worker.postMessage({ release: true });
      return;
    }
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    this.waiting.delete(reply.id);
    clearTimeout(waiting.timer);
    if (reply.tooLarge !== undefined) {
      waiting.reject(new OutputTooLargeError(this.label, reply.tooLarge, waiting.maxOutputBytes ?? 0));
      return;
    }
    if (reply.error !== undefined) {
      waiting.reject(new Error(reply.error));
      return;
    }
    try {
      waiting.resolve(reply.outputs!.map((output) => fromOrtTensor(output.name, output as never)));
    } catch (error) {
      waiting.reject(error as Error);
    }
  }

  private fail(cause: string): void {
    if (this.failure !== undefined) return;
    this.failure = new InstanceFailedError(this.label, cause);
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(this.failure);
    }
    this.waiting.clear();
    if (!this.releasing) this.options.onFailure?.(this.failure);
  }

  /** Frees the session and ends the worker thread. */
  async release(): Promise<void> {
    if (this.releasing) return;
    this.releasing = true;
    if (this.retiring) {
      await this.exited;
      return;
    }
    if (this.failure !== undefined) {
      await this.worker.terminate();
      return;
    }
    const exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.postMessage({ release: true });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
