/**
 * Builds each model version's executor: its instances (sessions on worker threads or on the main thread)
 * wrapped in a {@link DynamicBatcher}, with the server-wide flags as defaults and the model's config.json
 * as overrides. Models that cannot be batched are said so once in the log and run one request per run.
 * Worker instances run under a deadline and a heap limit and come back after a failure
 * ({@link RestartingWorker}); the version reads unavailable while none of its instances works.
 */
import type { FastifyBaseLogger } from "fastify";
import type { ExecutorContext, ExecutorFactory } from "../repository/repository";
import { warmupInputs, warmupRequest } from "../repository/warmup";
import { RestartingWorker } from "../runtime/restarting-worker";
import type { ExecutionProvider } from "../runtime/session";
import { ModelSession } from "../runtime/session";
import { batchability } from "./batchable";
import { type BatchRunner, DynamicBatcher } from "./batcher";
import {
  CPU_RUN_CLOCK,
  fastestRunMs,
  inputsAtRows,
  mainThreadCandidate,
  type RunClock,
  WALL_CLOCK,
} from "./instance-thread";
import {
  AUTO_WORKER_THRESHOLD_MS,
  type InstanceThread,
  type IntraOpSpinning,
  intraOpThreadsOn,
  spinsOn,
} from "./model-settings";
import type { BatchingOptions } from "./options";

/** Server-wide batching and instance settings (the flags). */
export interface ServerBatchingSettings extends BatchingOptions {
  readonly instances: number;
  readonly instanceThread: InstanceThread;
  readonly intraOpThreads: number;
  readonly intraOpSpinning: IntraOpSpinning;
  readonly executionProvider: ExecutionProvider;
  /** Deadline of one run on a worker instance (`--inference-timeout-ms`). @default - none */
  readonly inferenceTimeoutMs?: number;
  /** V8 heap cap of each worker instance, MiB (`--worker-heap-mb`). @default - Node's default */
  readonly workerHeapMb?: number;
  /** Most bytes one response's outputs may hold (`--max-response-bytes`). @default - no limit */
  readonly maxResponseBytes?: number;
  /** Most BYTES elements one request may carry (`--max-bytes-elements`). @default - no limit */
  readonly maxBytesElements?: number;
}

type Instance = BatchRunner & { release(): Promise<void> };

/** The executor factory of the server: one batcher per model version. */
export function batchingExecutorFactory(
  settings: ServerBatchingSettings,
  logger: Pick<FastifyBaseLogger, "info" | "warn">,
): ExecutorFactory {
  return async (context: ExecutorContext) => {
    const { config, session, modelName, version } = context;
    const label = `model "${modelName}" version ${version}`;
    const options: BatchingOptions = {
      maxBatchSize: settings.maxBatchSize,
      maxQueueDelayMicroseconds: settings.maxQueueDelayMicroseconds,
      maxQueueSize: settings.maxQueueSize,
      queueTimeoutMs: settings.queueTimeoutMs,
      ...config.batching,
    };
    const count = config.instances ?? settings.instances;
    const configured = config.instanceThread ?? settings.instanceThread;
    const warmup = () => warmupRequest(config, session.signature);
    const outputNames = session.signature.outputs.map((output) => output.name);
    const fit = batchability(session.signature);
    if (!fit.batchable && options.maxBatchSize > 1) {
      logger.info(
        { model: modelName, version, reason: fit.reason },
        `${label} runs unbatched: ${fit.reason}`,
      );
    }
    let thread: "worker" | "main" = configured === "main" ? "main" : "worker";
    if (configured === "auto") {
      const clock = settings.executionProvider === "cpu" ? CPU_RUN_CLOCK : WALL_CLOCK;
      thread = await autoThread(
        context,
        fit.batchable,
        options.maxBatchSize,
        outputNames,
        clock,
        logger,
        label,
      );
    }
    const intraOpThreads = intraOpThreadsOn(config.intraOpThreads ?? settings.intraOpThreads, thread);
    const allowSpinning = spinsOn(config.intraOpSpinning ?? settings.intraOpSpinning, thread);
    const sessionOptions = { executionProvider: settings.executionProvider, intraOpThreads, allowSpinning };
    // On the main thread the repository's session (loaded with the server-wide threads for the main
    // thread, not spinning) is instance one.
    const reuse =
      thread === "main" &&
      intraOpThreads === intraOpThreadsOn(settings.intraOpThreads, "main") &&
      !allowSpinning;
    const workers: RestartingWorker[] = [];
    const availability = () => context.setAvailable(workers.some((worker) => worker.available));
    const owned: Instance[] = await Promise.all(
      Array.from({ length: reuse ? count - 1 : count }, async () => {
        if (thread === "main") return ModelSession.load(context.model, sessionOptions);
        const worker = await RestartingWorker.start(context.model, {
          ...sessionOptions,
          label,
          runTimeoutMs: settings.inferenceTimeoutMs,
          heapLimitMb: settings.workerHeapMb,
          onAvailability: availability,
          onFault: (message) => logger.warn({ model: modelName, version }, `${label}: ${message}`),
        });
        workers.push(worker);
        return worker;
      }),
    );
    await Promise.all(
      owned.map((instance) =>
        instance.infer(warmup(), outputNames).catch((error: Error) => {
          // The repository has warmed up the version already: a configured warm-up that failed there failed
          // the load; a synthesised one that fails here was reported there.
          if (config.warmup !== undefined) throw error;
        }),
      ),
    );
    // Worker instances hold their own copies of the model: free the main thread's (metadata stays).
    if (thread === "worker") await session.release();
    const instances: BatchRunner[] = reuse ? [session, ...owned] : owned;
    return new DynamicBatcher(
      instances,
      {
        ...options,
        label,
        batchable: fit.batchable,
        metrics: context.metrics,
        maxResponseBytes: settings.maxResponseBytes,
        maxBytesElements: settings.maxBytesElements,
      },
      owned,
    );
  };
}

/** `--instance-thread auto`: the main thread only for runs proven cheap at their largest shape. */
async function autoThread(
  context: ExecutorContext,
  batchable: boolean,
  maxBatchSize: number,
  outputNames: readonly string[],
  clock: RunClock,
  logger: Pick<FastifyBaseLogger, "info">,
  label: string,
): Promise<"worker" | "main"> {
  const { session, modelName, version } = context;
  const candidate = mainThreadCandidate(session.signature, batchable, maxBatchSize);
  let thread: "worker" | "main" = "worker";
  let why: string;
  if ("reason" in candidate) why = candidate.reason;
  else {
    const inputs = () => inputsAtRows(warmupInputs(session.signature), candidate.rows);
    const runMs = await fastestRunMs((feed) => session.infer(feed, outputNames), inputs, clock);
    const shape = candidate.rows === undefined ? "its one shape" : `${candidate.rows} rows`;
    if (runMs === undefined) why = `the synthesised input at ${shape} fails to run`;
    else {
      thread = runMs < AUTO_WORKER_THRESHOLD_MS ? "main" : "worker";
      why = `a run at ${shape} takes ${runMs.toFixed(2)} ms`;
    }
  }
  logger.info(
    { model: modelName, version, instanceThread: thread, reason: why },
    `${label}: instances on ${thread === "worker" ? "worker threads" : "the main thread"} (${why})`,
  );
  return thread;
}
