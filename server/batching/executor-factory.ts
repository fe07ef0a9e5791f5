/**
 * Builds each model version's executor: its instances (sessions on worker threads or on the main thread)
 * wrapped in a {@link DynamicBatcher}, with the server-wide flags as defaults and the model's config.json
 * as overrides. Models that cannot be batched are said so once in the log and run one request per run.
 */
import type { FastifyBaseLogger } from "fastify";
import type { ExecutorContext, ExecutorFactory } from "../repository/repository";
import { warmupRequest } from "../repository/warmup";
import type { ExecutionProvider } from "../runtime/session";
import { ModelSession } from "../runtime/session";
import { WorkerSession } from "../runtime/worker-session";
import { batchability } from "./batchable";
import { type BatchRunner, DynamicBatcher } from "./batcher";
import {
  AUTO_WORKER_THRESHOLD_MS,
  type InstanceThread,
  type IntraOpSpinning,
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
}

type Instance = BatchRunner & { release(): Promise<void> };

/** The executor factory of the server: one batcher per model version. */
export function batchingExecutorFactory(
  settings: ServerBatchingSettings,
  logger: Pick<FastifyBaseLogger, "info">,
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
    let thread: "worker" | "main" = configured === "main" ? "main" : "worker";
    if (configured === "auto") {
      const runMs = await fastestRunMs(session, warmup, outputNames);
      thread = runMs >= AUTO_WORKER_THRESHOLD_MS ? "worker" : "main";
      logger.info(
        { model: modelName, version, instanceThread: thread, oneRowRunMs: Number(runMs.toFixed(3)) },
        `${label}: instances on ${thread === "worker" ? "worker threads" : "the main thread"} (one row runs in ${runMs.toFixed(2)} ms)`,
      );
    }
    const intraOpThreads = config.intraOpThreads ?? settings.intraOpThreads;
    const fit = batchability(session.signature);
    if (!fit.batchable && options.maxBatchSize > 1) {
      logger.info(
        { model: modelName, version, reason: fit.reason },
        `${label} runs unbatched: ${fit.reason}`,
      );
    }
    const allowSpinning = spinsOn(config.intraOpSpinning ?? settings.intraOpSpinning, thread);
    const sessionOptions = { executionProvider: settings.executionProvider, intraOpThreads, allowSpinning };
    // On the main thread the repository's session (loaded with the server-wide threads, not spinning) is
    // instance one.
    const reuse = thread === "main" && intraOpThreads === settings.intraOpThreads && !allowSpinning;
    const owned: Instance[] = await Promise.all(
      Array.from({ length: reuse ? count - 1 : count }, () =>
        thread === "worker"
          ? WorkerSession.load(context.modelPath, sessionOptions)
          : ModelSession.load(context.modelPath, sessionOptions),
      ),
    );
    await Promise.all(owned.map((instance) => instance.infer(warmup(), outputNames)));
    // Worker instances hold their own copies of the model: free the main thread's (metadata stays).
    if (thread === "worker") await session.release();
    const instances: BatchRunner[] = reuse ? [session, ...owned] : owned;
    return new DynamicBatcher(
      instances,
      { ...options, label, batchable: fit.batchable, metrics: context.metrics },
      owned,
    );
  };
}

/** The fastest of a few runs of the (one-row) warm-up request on the main-thread session, in ms. */
async function fastestRunMs(
  session: BatchRunner,
  warmup: () => Parameters<BatchRunner["infer"]>[0],
  outputNames: readonly string[],
): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const inputs = warmup();
    const start = performance.now();
    await session.infer(inputs, outputNames);
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}
