/**
 * The measurement behind `onnxfleet profile`: for each batching setting, one onnxfleet-server process (the
 * production runtime and batcher, over real HTTP on loopback), driven closed-loop at each concurrency;
 * per point the throughput, latency percentiles and the process's peak RSS.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CapacityProfile, PROFILE_FORMAT, type ProfilePoint } from "../../src/capacity/profile";
import { closedLoop } from "./closed-loop";
import { summarizeLatency } from "./latency";
import { describeMachine, versions } from "./machine";
import { isBatchable, type ModelMetadata, requestBody, rowsPerRequest } from "./request-body";
import { startServer } from "./server-process";

/** What to measure. */
export interface SweepOptions {
  /** Model repository (`<model>/<version>/model.onnx`). */
  readonly repository: string;
  /** Model to measure. */
  readonly model: string;
  /** `--max-batch-size` values; 1 turns batching off. */
  readonly batchSizes: readonly number[];
  /** Queue delays in milliseconds, for each batch size above 1. */
  readonly queueDelaysMs: readonly number[];
  /** Client concurrencies. */
  readonly concurrencies: readonly number[];
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Rows per request along a dynamic first dimension. */
  readonly rows: number;
  readonly intraOpThreads: number;
  readonly instances: number;
  readonly executionProvider: "cpu" | "cuda";
  /** `taskset -c` CPU list for the server. */
  readonly cpus?: string;
  /** EC2 instance type this machine is, recorded for the constructs' check. */
  readonly instanceType?: string;
  /** More onnxfleet-server flags for every server, e.g. `["--instance-thread", "main"]`. */
  readonly serverArgs?: readonly string[];
  /** Called after each point, and once per setting before its server starts. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

/** The batching settings of a sweep: batch 1 once (no delay), every other size with every delay. */
export function batchingSettings(
  batchSizes: readonly number[],
  queueDelaysMs: readonly number[],
  batchable: boolean,
): { maxBatchSize: number; maxQueueDelayMs: number }[] {
  const settings: { maxBatchSize: number; maxQueueDelayMs: number }[] = [];
  for (const maxBatchSize of [...new Set(batchSizes)]) {
    if (maxBatchSize === 1 || !batchable) {
      if (!settings.some((s) => s.maxBatchSize === 1)) settings.push({ maxBatchSize: 1, maxQueueDelayMs: 0 });
      continue;
    }
    for (const maxQueueDelayMs of [...new Set(queueDelaysMs)])
      settings.push({ maxBatchSize, maxQueueDelayMs });
  }
  return settings;
}

/** The model file the server serves: the highest numeric version holding `model.onnx`. */
export function modelFile(repository: string, model: string): string {
  const dir = join(repository, model);
  const versionsFound = readdirSync(dir)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(dir, entry, "model.onnx")))
    .sort((a, b) => Number(b) - Number(a));
  if (versionsFound.length === 0) throw new Error(`${dir} has no <version>/model.onnx`);
  return join(dir, versionsFound[0]!, "model.onnx");
}

async function metadataOf(port: number, model: string): Promise<ModelMetadata> {
  const response = await fetch(`http://127.0.0.1:${port}/v2/models/${encodeURIComponent(model)}`);
  if (response.status !== 200) throw new Error(`GET /v2/models/${model} answered ${response.status}`);
  return (await response.json()) as ModelMetadata;
}

/** Runs the sweep and returns the profile. */
export async function profileModel(options: SweepOptions): Promise<CapacityProfile> {
  const file = modelFile(options.repository, options.model);
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  const baseArgs = [
    "--intra-op-threads",
    String(options.intraOpThreads),
    "--instances",
    String(options.instances),
    "--execution-provider",
    options.executionProvider,
    "--drain-delay-seconds",
    "0",
    ...(options.serverArgs ?? []),
  ];
  const serverArgs = (setting: { maxBatchSize: number; maxQueueDelayMs: number }) => [
    ...baseArgs,
    "--max-batch-size",
    String(setting.maxBatchSize),
    "--max-queue-delay-microseconds",
    String(Math.round(setting.maxQueueDelayMs * 1000)),
  ];
  const serverOptions = { repository: options.repository, ...(options.cpus ? { cpus: options.cpus } : {}) };

  // The first server tells whether the model batches; the settings follow from that.
  let server = await startServer({
    ...serverOptions,
    args: serverArgs({ maxBatchSize: 1, maxQueueDelayMs: 0 }),
  });
  let metadata: ModelMetadata;
  try {
    metadata = await metadataOf(server.port, options.model);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const settings = batchingSettings(options.batchSizes, options.queueDelaysMs, isBatchable(metadata));
  const body = requestBody(metadata, options.rows);
  const rows = rowsPerRequest(metadata, options.rows);
  const path = `/v2/models/${encodeURIComponent(options.model)}/infer`;
  const total = settings.length * options.concurrencies.length;
  const points: ProfilePoint[] = [];
  try {
    for (const [index, setting] of settings.entries()) {
      const label = `maxBatchSize ${setting.maxBatchSize}, delay ${setting.maxQueueDelayMs} ms`;
      if (index > 0) {
        options.onProgress?.(points.length, total, `starting server (${label})`);
        await server.stop();
        server = await startServer({ ...serverOptions, args: serverArgs(setting) });
      }
      for (const concurrency of options.concurrencies) {
        options.onProgress?.(points.length, total, `${label}, concurrency ${concurrency}`);
        const result = await closedLoop({
          port: server.port,
          path,
          body,
          concurrency,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: options.durationSeconds,
        });
        const requestsPerSecond = result.requests / result.durationSeconds;
        points.push({
          ...setting,
          concurrency,
          requests: result.requests,
          errors: result.errors,
          durationSeconds: result.durationSeconds,
          requestsPerSecond: Math.round(requestsPerSecond * 1000) / 1000,
          rowsPerSecond: Math.round(requestsPerSecond * rows * 1000) / 1000,
          latencyMs: summarizeLatency(result.latenciesMs),
          peakRssBytes: server.peakRssBytes(),
        });
      }
    }
  } finally {
    await server.stop();
  }
  options.onProgress?.(points.length, total, "done");
  return {
    format: PROFILE_FORMAT,
    measuredAt: new Date().toISOString(),
    model: { name: options.model, sha256, rowsPerRequest: rows },
    machine: describeMachine({
      executionProvider: options.executionProvider,
      ...(options.cpus ? { cpus: options.cpus } : {}),
      ...(options.instanceType ? { instanceType: options.instanceType } : {}),
    }),
    server: {
      executionProvider: options.executionProvider,
      intraOpThreads: options.intraOpThreads,
      instances: options.instances,
    },
    versions: versions(),
    points,
  };
}
