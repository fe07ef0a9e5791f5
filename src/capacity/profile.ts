/**
 * The measured profile of a model (`profile.json`, written by `onnxfleet profile`): per batching setting and
 * fixed arrival rate (open loop), the latency and throughput one server replica reached, its peak memory, the
 * knee (highest rate within the p99 budget) of each setting, and the machine and versions it ran on. Types and
 * validation only: the constructs read a profile without the server.
 */
import type { Problem } from "../errors";
import { show } from "../validate";

/** The format tag every profile carries; a reader refuses any other. */
export const PROFILE_FORMAT = "onnxfleet-profile/2";

/** Where the measurement ran. */
export interface ProfileMachine {
  /** CPU model as the OS reports it, e.g. `AMD EPYC 7R13 Processor`. */
  readonly cpuModel: string;
  /** CPU cores the replica could use (its CPU affinity), not the machine's total. */
  readonly cores: number;
  /** Logical CPUs of the whole machine. */
  readonly machineCores: number;
  /**
   * GPU the replica ran on, e.g. `NVIDIA A10G`.
   * @default - none: the replica ran on CPU
   */
  readonly gpu?: string;
  /**
   * EC2 instance type of the machine, as the person profiling declared it (`--instance-type`).
   * @default - unknown (a laptop, a CI runner): a pool of any instance type refuses the profile unless the
   * endpoint says it is representative
   */
  readonly instanceType?: string;
}

/** The replica's server settings during the measurement (besides the batching of each point). */
export interface ProfileServer {
  /** `--execution-provider`. */
  readonly executionProvider: "cpu" | "cuda";
  /** `--intra-op-threads` (0: onnxruntime's choice). */
  readonly intraOpThreads: number;
  /** `--instances`: onnxruntime sessions per model version. */
  readonly instances: number;
}

/**
 * Latency percentiles of one point, in milliseconds, measured at the client from each request's scheduled
 * send time to its answer read (a late send counts against the replica, not in its favour).
 */
export interface ProfileLatency {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** One measured point: a batching setting and an arrival rate, and what the replica did under them. */
export interface ProfilePoint {
  /** `--max-batch-size` of the replica (1: no batching). */
  readonly maxBatchSize: number;
  /** `--max-queue-delay-microseconds` of the replica, in milliseconds. */
  readonly maxQueueDelayMs: number;
  /**
   * Requests per second sent at fixed intervals (open loop: whether or not earlier ones were answered, as
   * independent clients send them).
   */
  readonly arrivalRate: number;
  /** Requests of the measured window answered 200. */
  readonly requests: number;
  /**
   * Requests of the window answered otherwise, or not at all; a point with errors does not count as meeting
   * an SLO.
   */
  readonly errors: number;
  /** Seconds of the measurement window. */
  readonly durationSeconds: number;
  /** `requests / durationSeconds`: the arrival rate the replica sustained (equal to it when nothing failed). */
  readonly requestsPerSecond: number;
  /** Answers completed per second during the window: below `arrivalRate` when the replica fell behind. */
  readonly completedPerSecond: number;
  /** `requestsPerSecond x rowsPerRequest`. */
  readonly rowsPerSecond: number;
  readonly latencyMs: ProfileLatency;
  /** Peak resident memory of the replica process so far (VmHWM), in bytes. */
  readonly peakRssBytes: number;
  /**
   * Peak GPU memory of the replica process so far (nvidia-smi's `used_memory` of its pid), in bytes; `null`
   * when not measured, the reason in the profile's `gpuMemoryUnavailable`.
   */
  readonly peakGpuMemoryBytes: number | null;
}

/** The knee of one batching setting: the highest arrival rate measured whose p99 met the search's budget. */
export interface ProfileKnee {
  readonly maxBatchSize: number;
  readonly maxQueueDelayMs: number;
  /** The p99 budget of the search, in milliseconds. */
  readonly p99BudgetMs: number;
  /** Median latency of lone requests before the search (its first rate is half of what that allows). */
  readonly unloadedLatencyMs: number;
  /** The knee, requests per second; `null` when no rate met the budget. */
  readonly requestsPerSecond: number | null;
}

/** A whole profile. */
export interface CapacityProfile {
  readonly format: typeof PROFILE_FORMAT;
  /** When the measurement finished, ISO 8601. */
  readonly measuredAt: string;
  readonly model: {
    readonly name: string;
    /** sha256 of the model file, hex. */
    readonly sha256: string;
    /** Rows (batch-dimension entries) in each request of the measurement. */
    readonly rowsPerRequest: number;
  };
  readonly machine: ProfileMachine;
  readonly server: ProfileServer;
  readonly versions: { readonly onnxfleet: string; readonly onnxruntime: string; readonly node: string };
  /** Every measured point. */
  readonly points: readonly ProfilePoint[];
  /** The knee of each batching setting. */
  readonly knees: readonly ProfileKnee[];
  /**
   * Why the points carry no GPU memory, e.g. `CPU execution provider: no GPU`.
   * @default - none: GPU memory was measured
   */
  readonly gpuMemoryUnavailable?: string;
}

type Checks = Problem[];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function need(problems: Checks, ok: boolean, path: string, reason: string): void {
  if (!ok) problems.push({ path, reason });
}

function nonNegative(problems: Checks, path: string, value: unknown): void {
  need(
    problems,
    typeof value === "number" && Number.isFinite(value) && value >= 0,
    path,
    `(${show(value)}) must be a number >= 0`,
  );
}

function positive(problems: Checks, path: string, value: unknown): void {
  need(
    problems,
    typeof value === "number" && Number.isFinite(value) && value > 0,
    path,
    `(${show(value)}) must be a number > 0`,
  );
}

function positiveInteger(problems: Checks, path: string, value: unknown): void {
  need(
    problems,
    Number.isInteger(value) && (value as number) >= 1,
    path,
    `(${show(value)}) must be an integer >= 1`,
  );
}

function text(problems: Checks, path: string, value: unknown): void {
  need(problems, typeof value === "string" && value.length > 0, path, `(${show(value)}) must be a string`);
}

function checkPoint(problems: Checks, path: string, point: unknown): void {
  if (!isObject(point)) {
    problems.push({ path, reason: `(${show(point)}) must be an object` });
    return;
  }
  const before = problems.length;
  positiveInteger(problems, `${path}.maxBatchSize`, point.maxBatchSize);
  nonNegative(problems, `${path}.maxQueueDelayMs`, point.maxQueueDelayMs);
  positive(problems, `${path}.arrivalRate`, point.arrivalRate);
  nonNegative(problems, `${path}.requests`, point.requests);
  nonNegative(problems, `${path}.errors`, point.errors);
  nonNegative(problems, `${path}.durationSeconds`, point.durationSeconds);
  nonNegative(problems, `${path}.requestsPerSecond`, point.requestsPerSecond);
  nonNegative(problems, `${path}.rowsPerSecond`, point.rowsPerSecond);
  nonNegative(problems, `${path}.completedPerSecond`, point.completedPerSecond);
  nonNegative(problems, `${path}.peakRssBytes`, point.peakRssBytes);
  if (point.peakGpuMemoryBytes !== null)
    nonNegative(problems, `${path}.peakGpuMemoryBytes`, point.peakGpuMemoryBytes);
  const latency = point.latencyMs;
  if (!isObject(latency)) {
    problems.push({ path: `${path}.latencyMs`, reason: `(${show(latency)}) must be an object` });
    return;
  }
  for (const key of ["mean", "p50", "p90", "p99", "max"] as const)
    nonNegative(problems, `${path}.latencyMs.${key}`, latency[key]);
  if (problems.length === before)
    need(
      problems,
      (latency.p50 as number) <= (latency.p90 as number) &&
        (latency.p90 as number) <= (latency.p99 as number),
      `${path}.latencyMs`,
      `(${show(latency)}) must have p50 <= p90 <= p99`,
    );
}

function checkKnee(problems: Checks, path: string, knee: unknown): void {
  if (!isObject(knee)) {
    problems.push({ path, reason: `(${show(knee)}) must be an object` });
    return;
  }
  positiveInteger(problems, `${path}.maxBatchSize`, knee.maxBatchSize);
  nonNegative(problems, `${path}.maxQueueDelayMs`, knee.maxQueueDelayMs);
  positive(problems, `${path}.p99BudgetMs`, knee.p99BudgetMs);
  nonNegative(problems, `${path}.unloadedLatencyMs`, knee.unloadedLatencyMs);
  if (knee.requestsPerSecond !== null)
    positive(problems, `${path}.requestsPerSecond`, knee.requestsPerSecond);
}

/**
 * Every problem of `value` as a profile, with paths relative to the profile (`points[2].latencyMs.p99`);
 * empty when it is one.
 */
export function profileProblems(value: unknown): Problem[] {
  const problems: Checks = [];
  if (!isObject(value)) return [{ path: "", reason: `(${show(value)}) must be a profile object` }];
  need(
    problems,
    value.format === PROFILE_FORMAT,
    "format",
    value.format === "onnxfleet-profile/1"
      ? `(${show(value.format)}) is a closed-loop profile of an older \`onnxfleet profile\`, which under-reads ` +
          "what a replica sustains at a fixed arrival rate; profile the model again"
      : `(${show(value.format)}) must be ${show(PROFILE_FORMAT)} (a profile written by \`onnxfleet profile\`)`,
  );
  text(problems, "measuredAt", value.measuredAt);
  const model = value.model;
  if (!isObject(model)) problems.push({ path: "model", reason: `(${show(model)}) must be an object` });
  else {
    text(problems, "model.name", model.name);
    text(problems, "model.sha256", model.sha256);
    positiveInteger(problems, "model.rowsPerRequest", model.rowsPerRequest);
  }
  const machine = value.machine;
  if (!isObject(machine)) problems.push({ path: "machine", reason: `(${show(machine)}) must be an object` });
  else {
    text(problems, "machine.cpuModel", machine.cpuModel);
    positiveInteger(problems, "machine.cores", machine.cores);
    positiveInteger(problems, "machine.machineCores", machine.machineCores);
    if (machine.gpu !== undefined) text(problems, "machine.gpu", machine.gpu);
    if (machine.instanceType !== undefined) text(problems, "machine.instanceType", machine.instanceType);
  }
  const server = value.server;
  if (!isObject(server)) problems.push({ path: "server", reason: `(${show(server)}) must be an object` });
  else {
    need(
      problems,
      server.executionProvider === "cpu" || server.executionProvider === "cuda",
      "server.executionProvider",
      `(${show(server.executionProvider)}) must be "cpu" or "cuda"`,
    );
    nonNegative(problems, "server.intraOpThreads", server.intraOpThreads);
    positiveInteger(problems, "server.instances", server.instances);
  }
  const versions = value.versions;
  if (!isObject(versions))
    problems.push({ path: "versions", reason: `(${show(versions)}) must be an object` });
  else
    for (const key of ["onnxfleet", "onnxruntime", "node"]) text(problems, `versions.${key}`, versions[key]);
  const points = value.points;
  if (!Array.isArray(points) || points.length === 0)
    problems.push({ path: "points", reason: `(${show(points)}) must list at least one measured point` });
  else
    points.forEach((point, i) => {
      checkPoint(problems, `points[${i}]`, point);
    });
  const knees = value.knees;
  if (!Array.isArray(knees)) problems.push({ path: "knees", reason: `(${show(knees)}) must be a list` });
  else
    knees.forEach((knee, i) => {
      checkKnee(problems, `knees[${i}]`, knee);
    });
  if (value.gpuMemoryUnavailable !== undefined)
    text(problems, "gpuMemoryUnavailable", value.gpuMemoryUnavailable);
  return problems;
}

/** True when `value` is a valid profile. */
export function isCapacityProfile(value: unknown): value is CapacityProfile {
  return profileProblems(value).length === 0;
}
