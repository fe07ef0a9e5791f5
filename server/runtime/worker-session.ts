/**
 * A model session on a worker thread. onnxruntime-node runs `session.run` synchronously on the thread
 * that calls it (it only defers the call with setImmediate), so a session on the main thread stops all
 * HTTP work while it computes. A WorkerSession keeps the event loop free: parsing, encoding and socket
 * work overlap inference. Inputs are transferred to the worker: a batch the batcher lends as disposable
 * goes as it is, any other input is first copied into a buffer of its own (it may be a view on a request
 * body). Outputs are transferred back. Transferring beats structured cloning by about 0.1 ms per 128 KiB.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { InferenceExecutor, InferOptions } from "../executor";
import { type NumericDatatype, type Tensor, TYPED_ARRAY_OF } from "../tensor";
import { fromOrtTensor, ORT_TYPE_OF } from "./convert";
import { ModelLoadError, ortSessionOptions, type SessionOptions } from "./session";

/** The worker's program (CommonJS, evaluated): one onnxruntime session, one request at a time. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.onnxruntimePath);
const messageOf = (error) => String((error && error.message) || error);
ort.InferenceSession.create(workerData.modelPath, workerData.sessionOptions).then(
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
          const tensor = new ort.Tensor(feed.type, feed.data, feed.dims);
          feeds[feed.name] =
            tensor.data === feed.data ? tensor : Object.create(tensor, { data: { value: feed.data, enumerable: true } });
        }
        const results = await session.run(feeds, request.outputNames);
        const outputs = [];
        const transfer = new Set();
        for (const name of request.outputNames) {
          const value = results[name];
          if (value === undefined) throw new Error('onnxruntime returned no output "' + name + '"');
          if (ArrayBuffer.isView(value.data)) transfer.add(value.data.buffer);
          outputs.push({ name, type: value.type, dims: value.dims, data: value.data });
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
  readonly outputs?: readonly { name: string; type: string; dims: readonly number[]; data: unknown }[];
}

interface Waiting {
  readonly resolve: (outputs: Tensor[]) => void;
  readonly reject: (error: Error) => void;
}

const utf8 = new TextDecoder("utf-8");

type NumericData = Exclude<Tensor["data"], Uint8Array[]>;

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

/** One onnxruntime session on its own worker thread; an {@link InferenceExecutor}. */
export class WorkerSession implements InferenceExecutor {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly modelPath: string,
  ) {
    liveWorkers.set(worker, { busy: () => this.waiting.size > 0 });
    worker.on("message", (reply: WorkerReply) => this.onReply(reply));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`the worker thread exited (code ${code})`)));
  }

  /** Starts a worker thread and loads `modelPath` in it with the same options as {@link ModelSession}. */
  static async load(modelPath: string, options: SessionOptions = {}): Promise<WorkerSession> {
    const require = createRequire(__filename);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        modelPath,
        onnxruntimePath: require.resolve("onnxruntime-node"),
        sessionOptions: ortSessionOptions(options),
      },
    });
    worker.once("exit", () => liveWorkers.delete(worker));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) =>
        reject(new ModelLoadError(`cannot load ${modelPath}: ${error.message}`));
      worker.once("error", onError);
      worker.once("message", (reply: WorkerReply) => {
        worker.off("error", onError);
        if (reply.error === undefined) resolve();
        else {
          void worker.terminate();
          reject(new ModelLoadError(`cannot load ${modelPath} on a worker thread: ${reply.error}`));
        }
      });
    });
    return new WorkerSession(worker, modelPath);
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
      if (input.datatype === "BYTES") data = (input.data as Uint8Array[]).map((e) => utf8.decode(e));
      else {
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
    return new Promise<Tensor[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, feeds, outputNames }, [...transfer]);
      } catch (error) {
        this.waiting.delete(id);
        reject(error);
      }
    });
  }

  private onReply(reply: WorkerReply): void {
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    this.waiting.delete(reply.id);
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

  private fail(error: Error): void {
    this.failure ??= new Error(`${this.modelPath}: ${error.message}`);
    for (const waiting of this.waiting.values()) waiting.reject(this.failure);
    this.waiting.clear();
  }

  /** Frees the session and ends the worker thread. */
  async release(): Promise<void> {
    if (this.failure !== undefined) return;
    const exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.postMessage({ release: true });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
