/**
 * The measured profile of a model (`profile.json`, written by `onnxfleet profile`): per batching setting and
 * client concurrency, the throughput and latency one server replica reached, its peak memory, and the machine
 * and versions it ran on. Types and validation only: the constructs read a profile without the server.
 */
import type { Problem } from "../errors";
import { show } from "../validate";

/** The format tag every profile carries; a reader refuses any other. */
export const PROFILE_FORMAT = "onnxfleet-profile/1";

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

/** Latency percentiles of one point, in milliseconds, measured at the client (request sent to answer read). */
export interface ProfileLatency {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** One measured setting: batching settings and client concurrency, and what the replica did under them. */
export interface ProfilePoint {
  /** `--max-batch-size` of the replica (1: no batching). */
  readonly maxBatchSize: number;
  /** `--max-queue-delay-microseconds` of the replica, in milliseconds. */
  readonly maxQueueDelayMs: number;
  /** Requests the client kept in flight (closed loop). */
  readonly concurrency: number;
  /** Answers counted (200 only). */
  readonly requests: number;
  /** Answers other than 200 and connection errors; a point with errors does not count as meeting an SLO. */
  readonly errors: number;
  /** Seconds of the measurement window. */
  readonly durationSeconds: number;
  /** `requests / durationSeconds`. */
  readonly requestsPerSecond: number;
  /** `requestsPerSecond x rowsPerRequest`. */
  readonly rowsPerSecond: number;
  readonly latencyMs: ProfileLatency;
  /** Peak resident memory of the replica process so far (VmHWM), in bytes. */
  readonly peakRssBytes: number;
  /**
   * Peak GPU memory of the replica, in bytes.
   * @default - not measured (CPU)
   */
  readonly peakGpuMemoryBytes?: number;
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
  positiveInteger(problems, `${path}.concurrency`, point.concurrency);
  nonNegative(problems, `${path}.requests`, point.requests);
  nonNegative(problems, `${path}.errors`, point.errors);
  nonNegative(problems, `${path}.durationSeconds`, point.durationSeconds);
  nonNegative(problems, `${path}.requestsPerSecond`, point.requestsPerSecond);
  nonNegative(problems, `${path}.rowsPerSecond`, point.rowsPerSecond);
  nonNegative(problems, `${path}.peakRssBytes`, point.peakRssBytes);
  if (point.peakGpuMemoryBytes !== undefined)
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
    `(${show(value.format)}) must be ${show(PROFILE_FORMAT)} (a profile written by \`onnxfleet profile\`)`,
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
  return problems;
}

/** True when `value` is a valid profile. */
export function isCapacityProfile(value: unknown): value is CapacityProfile {
  return profileProblems(value).length === 0;
}
