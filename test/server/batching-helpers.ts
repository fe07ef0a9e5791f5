/** Test doubles for the batcher: a model instance the test finishes by hand, and small tensor helpers. */
import {
  type BatchRunner,
  DEFAULT_BATCHING_OPTIONS,
  DynamicBatcher,
  type DynamicBatcherOptions,
} from "../../server/batching";
import type { ServerBatchingSettings } from "../../server/batching/executor-factory";
import type { InferOptions } from "../../server/executor";
import { bytesFromStrings, type Datatype, type Tensor, TYPED_ARRAY_OF } from "../../server/tensor";

/**
 * Server batching settings for tests with real sessions: one instance on a worker thread with one intra-op
 * thread and no spinning (so a test's runs do not compete with its own event loop), batches of up to 64.
 */
export const WORKER_TEST_SETTINGS: ServerBatchingSettings = {
  maxBatchSize: 64,
  maxQueueDelayMicroseconds: 0,
  maxQueueSize: 1024,
  queueTimeoutMs: 10_000,
  instances: 1,
  instanceThread: "worker",
  intraOpThreads: 1,
  intraOpSpinning: "off",
  executionProvider: "cpu",
};

/** A model instance under the test's control: records each run and finishes it when told. */
export class ManualRunner implements BatchRunner {
  readonly calls: {
    inputs: readonly Tensor[];
    outputNames: readonly string[];
    options: InferOptions | undefined;
  }[] = [];
  private pending: { resolve: (outputs: Tensor[]) => void; reject: (error: unknown) => void }[] = [];

  /** Outputs computed from inputs when a run is finished: by default `output_i = input_i` renamed. */
  constructor(
    private readonly compute: (inputs: readonly Tensor[], outputNames: readonly string[]) => Tensor[] = echo,
  ) {}

  infer(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    options?: InferOptions,
  ): Promise<Tensor[]> {
    this.calls.push({ inputs, outputNames, options });
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  get running(): number {
    return this.pending.length;
  }

  /** Finishes the oldest running call with its computed outputs, then lets promise callbacks run. */
  async finish(): Promise<void> {
    const call = this.calls[this.calls.length - this.pending.length]!;
    this.pending.shift()!.resolve(this.compute(call.inputs, call.outputNames));
    await settle();
  }

  async fail(error: Error): Promise<void> {
    this.pending.shift()!.reject(error);
    await settle();
  }
}

function echo(inputs: readonly Tensor[], outputNames: readonly string[]): Tensor[] {
  return outputNames.map((name, i) => ({ ...inputs[i]!, name }));
}

/** Lets every queued promise callback and immediate run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function fp32(name: string, rows: number[][]): Tensor {
  const width = rows[0]?.length ?? 0;
  return { name, datatype: "FP32", shape: [rows.length, width], data: Float32Array.from(rows.flat()) };
}

export function batcher(
  instances: BatchRunner[],
  options: Partial<DynamicBatcherOptions> = {},
  owned: { release(): Promise<void> }[] = [],
): DynamicBatcher {
  const merged = {
    ...DEFAULT_BATCHING_OPTIONS,
    maxQueueDelayMicroseconds: 0,
    label: 'model "m" version 1',
    batchable: true,
    ...options,
  };
  return new DynamicBatcher(instances, merged, owned);
}

/** Records how a promise ends without awaiting it. */
export function track<T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

/** A [rows, 3] tensor of `datatype` whose values start at `start` (BYTES: their decimal text). */
export function tensorOf(datatype: Datatype, rows: number, start: number): Tensor {
  const values = Array.from({ length: rows * 3 }, (_, i) => start + i);
  if (datatype === "BYTES") {
    return { name: "x", datatype, shape: [rows, 3], data: bytesFromStrings(values.map((v) => `text ${v}`)) };
  }
  const ArrayType = TYPED_ARRAY_OF[datatype];
  const typed =
    datatype === "INT64" || datatype === "UINT64"
      ? (ArrayType as BigInt64ArrayConstructor).from(values.map(BigInt))
      : datatype === "BOOL"
        ? Uint8Array.from(values.map((v) => v % 2))
        : (ArrayType as Float64ArrayConstructor).from(values);
  return { name: "x", datatype, shape: [rows, 3], data: typed } as Tensor;
}
