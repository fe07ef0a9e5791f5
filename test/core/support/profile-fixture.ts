/**
 * Hand-made profiles for the capacity tests: every number is chosen so that the expected figures can be
 * worked out by hand in the test that uses it.
 */
import { type CapacityProfile, PROFILE_FORMAT, type ProfilePoint } from "../../../src/capacity/profile";

/** One point; latency mean defaults to p50, p90 to halfway between p50 and p99. */
export function point(
  values: Pick<ProfilePoint, "maxBatchSize" | "requestsPerSecond"> & {
    readonly p99: number;
    readonly p50?: number;
    readonly mean?: number;
    readonly maxQueueDelayMs?: number;
    readonly errors?: number;
  },
): ProfilePoint {
  const p50 = values.p50 ?? values.p99 / 2;
  return {
    maxBatchSize: values.maxBatchSize,
    maxQueueDelayMs: values.maxQueueDelayMs ?? 0,
    // Open loop: a point that met its latency served exactly the rate it was offered.
    arrivalRate: values.requestsPerSecond,
    requests: Math.round(values.requestsPerSecond * 5),
    errors: values.errors ?? 0,
    durationSeconds: 5,
    requestsPerSecond: values.requestsPerSecond,
    rowsPerSecond: values.requestsPerSecond,
    completedPerSecond: values.requestsPerSecond,
    latencyMs: {
      mean: values.mean ?? p50,
      p50,
      p90: (p50 + values.p99) / 2,
      p99: values.p99,
      max: values.p99,
    },
    peakRssBytes: 200 * 2 ** 20,
    peakGpuMemoryBytes: null,
  };
}

/** A profile of `points`, measured on `instanceType` with `executionProvider`. */
export function profile(
  points: readonly ProfilePoint[],
  options: { instanceType?: string; executionProvider?: "cpu" | "cuda" } = {},
): CapacityProfile {
  return {
    format: PROFILE_FORMAT,
    measuredAt: "2026-12-01T00:00:00.000Z",
    model: { name: "resnet", sha256: "a".repeat(64), rowsPerRequest: 1 },
    machine: {
      cpuModel: "Test CPU",
      cores: 4,
      machineCores: 4,
      ...(options.instanceType ? { instanceType: options.instanceType } : {}),
      ...(options.executionProvider === "cuda" ? { gpu: "NVIDIA A10G" } : {}),
    },
    server: { executionProvider: options.executionProvider ?? "cuda", intraOpThreads: 1, instances: 1 },
    versions: { onnxfleet: "0.1.0", onnxruntime: "1.30.0", node: "v20.0.0" },
    points,
    knees: [],
  };
}

/**
 * The profile most tests use, on g5.xlarge with CUDA:
 * - batch 1: 40 req/s at p99 20 ms, 70 req/s at p99 45 ms
 * - batch 8, 2 ms: 100 req/s at p99 30 ms, 160 req/s at p99 60 ms (mean 50 ms), 170 req/s at p99 120 ms
 */
export const G5_PROFILE: CapacityProfile = profile(
  [
    point({ maxBatchSize: 1, requestsPerSecond: 40, p99: 20 }),
    point({ maxBatchSize: 1, requestsPerSecond: 70, p99: 45 }),
    point({ maxBatchSize: 8, maxQueueDelayMs: 2, requestsPerSecond: 100, p99: 30 }),
    point({ maxBatchSize: 8, maxQueueDelayMs: 2, requestsPerSecond: 160, p99: 60, mean: 50 }),
    point({ maxBatchSize: 8, maxQueueDelayMs: 2, requestsPerSecond: 170, p99: 120 }),
  ],
  { instanceType: "g5.xlarge", executionProvider: "cuda" },
);
