/**
 * The measurement behind `onnxfleet profile`: for each batching setting, one onnxfleet-server process (the
 * production runtime and batcher, over real HTTP on loopback), driven open-loop at fixed arrival rates: the
 * knee search (`knee.ts`) from half the rate lone requests allow up to the first rate that misses the p99
 * budget, then bisected. Per rate the throughput, latency percentiles, the process's peak RSS and (CUDA)
 * GPU memory.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import {
  type CapacityProfile,
  PROFILE_FORMAT,
  type ProfileKnee,
  type ProfilePoint,
} from "../../src/capacity/profile";
import { gpuMemoryOf } from "./gpu-memory";
import { postJson } from "./http-post";
import { meetsBudget, searchKnee } from "./knee";
import { describeMachine, versions } from "./machine";
import { openLoop } from "./open-loop";
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
  /**
   * p99 budget of the knee search, in milliseconds.
   * @default - 10 x the setting's unloaded latency (the knee of saturation)
   */
  readonly p99BudgetMs?: number;
  /**
   * Measure exactly these arrival rates (requests per second) instead of searching for the knee.
   * @default - the knee search
   */
  readonly rates?: readonly number[];
  /** Bisection steps of the knee search. @default 3 */
  readonly refineSteps?: number;
  /** Unmeasured seconds at the start of each rate. */
  readonly warmupSeconds: number;
  /** Measured seconds of each rate. */
  readonly durationSeconds: number;
  /** Rows per request along a dynamic first dimension. */
  readonly rows: number;
  readonly intraOpThreads: number;
  readonly instances: number;
  readonly executionProvider: "cpu" | "cuda";
  /** `taskset -c` CPU list for the server. */
  readonly cpus?: string;
  /** Niceness of the server (`nice -n`). @default - this process's */
  readonly niceness?: number;
  /** Run the server in a session of its own (`setsid`, see `startServer`). @default false */
  readonly ownSession?: boolean;
  /** EC2 instance type this machine is, recorded for the constructs' check. */
  readonly instanceType?: string;
  /** More onnxfleet-server flags for every server, e.g. `["--instance-thread", "main"]`. */
  readonly serverArgs?: readonly string[];
  /** Called before each point, and once per setting before its server starts (`total` is an estimate). */
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
  const serverOptions = {
    repository: options.repository,
    ...(options.cpus ? { cpus: options.cpus } : {}),
    ...(options.niceness !== undefined ? { niceness: options.niceness } : {}),
    ...(options.ownSession ? { ownSession: true } : {}),
  };

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
  const refineSteps = options.refineSteps ?? 3;
  // The ramp takes about five rates before it misses, then the bisection.
  const perSetting = options.rates?.length ?? 5 + refineSteps;
  const total = settings.length * perSetting;
  const points: ProfilePoint[] = [];
  const knees: ProfileKnee[] = [];
  const cuda = options.executionProvider === "cuda";
  let gpuMemoryUnavailable: string | undefined = cuda ? undefined : "CPU execution provider: no GPU";
  try {
    for (const [index, setting] of settings.entries()) {
      const label = `maxBatchSize ${setting.maxBatchSize}, delay ${setting.maxQueueDelayMs} ms`;
      if (index > 0) {
        options.onProgress?.(Math.min(points.length, total), total, `starting server (${label})`);
        await server.stop();
        server = await startServer({ ...serverOptions, args: serverArgs(setting) });
      }
      const current = server;
      let peakGpuBytes: number | null = null;
      const measure = async (rate: number) => {
        options.onProgress?.(Math.min(points.length, total), total, `${label}, ${rate} req/s`);
        const result = await openLoop({
          port: current.port,
          path,
          body,
          rate,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: options.durationSeconds,
          drainSeconds: 30,
        });
        if (cuda) {
          const reading = gpuMemoryOf(current.pid);
          if (reading.bytes === null) gpuMemoryUnavailable = reading.reason;
          else peakGpuBytes = Math.max(peakGpuBytes ?? 0, reading.bytes);
        }
        const requestsPerSecond = result.ok / options.durationSeconds;
        const point: ProfilePoint = {
          ...setting,
          arrivalRate: rate,
          requests: result.ok,
          errors: result.errors,
          durationSeconds: options.durationSeconds,
          requestsPerSecond: round3(requestsPerSecond),
          rowsPerSecond: round3(requestsPerSecond * rows),
          completedPerSecond: round3(result.completedPerSecond),
          latencyMs: result.latencyMs,
          peakRssBytes: current.peakRssBytes(),
          peakGpuMemoryBytes: peakGpuBytes,
        };
        points.push(point);
        return { ...point, rate, p99Ms: point.latencyMs.p99 };
      };
      const unloaded = await unloadedLatencyMs(current.port, path, body);
      const p99BudgetMs = options.p99BudgetMs ?? round3(10 * unloaded);
      let kneeRate: number | undefined;
      if (options.rates) {
        for (const rate of options.rates) {
          const m = await measure(rate);
          if (meetsBudget(m, p99BudgetMs) && (kneeRate === undefined || rate > kneeRate)) kneeRate = rate;
        }
      } else {
        // Lone requests allow 1000 / unloaded per second (more with batching): start at half of that.
        const startRate = Math.max(0.5, round3(500 / Math.max(unloaded, 0.01)));
        ({ kneeRate } = await searchKnee(measure, { startRate, p99BudgetMs, refineSteps }));
      }
      knees.push({
        ...setting,
        p99BudgetMs,
        unloadedLatencyMs: unloaded,
        requestsPerSecond: kneeRate ?? null,
      });
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
    knees,
    ...(gpuMemoryUnavailable !== undefined ? { gpuMemoryUnavailable } : {}),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Latency of a lone request, in milliseconds: the lower quartile of sixteen sent one after another (after two
 * unmeasured), so that a busy machine's stalls do not pass for the model's own time.
 */
async function unloadedLatencyMs(port: number, path: string, body: Buffer): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 18; i++) {
      const sent = performance.now();
      const status = await postJson(agent, port, path, body);
      if (status !== 200) throw new Error(`a lone inference request answered ${status}`);
      if (i >= 2) samples.push(performance.now() - sent);
    }
  } finally {
    agent.destroy();
  }
  samples.sort((a, b) => a - b);
  return round3(samples[3]!);
}
