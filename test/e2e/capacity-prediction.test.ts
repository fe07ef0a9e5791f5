// The capacity prediction holds on real processes: profile one pinned onnxfleet-server replica open-loop (the
// knee search of `onnxfleet profile`: fixed arrival rates up to the highest whose p99 meets the budget),
// derive the replicas for a peak rate and p99 target with the core's own math, then drive that peak open-loop
// through haproxy, with the same requests, at the derived count (p99 met) and at one fewer (p99 missed). Each
// replica is pinned to one core (`taskset`, `--intra-op-threads 1`) so the prediction is about a replica, not
// the machine's spare cores. The p99 target (200 ms) is far above a request's time and the scheduler's stalls,
// so the knee sits near the replica's capacity; the peak is 1.3x the knee, so the derived 2 replicas run at
// 0.65 of it and 1 replica at 1.3 (a queue that grows for the whole window). haproxy balances by least connections
// (a replica slowed by a neighbour gets fewer requests); an attempt that fails is profiled and driven once more.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, getPriority, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenLoopResult, openLoop } from "../../server/profile/open-loop";
import { requestBody } from "../../server/profile/request-body";
import {
  freePort,
  type ServerProcess,
  startServer,
  tasksetAvailable,
} from "../../server/profile/server-process";
import { profileModel } from "../../server/profile/sweep";
import { mlp } from "../../server/testing/onnx-builder";
import { deriveEndpointCapacity } from "../../src/capacity/endpoint-capacity";
import { haproxyAvailable, startHaproxy } from "./haproxy";
import { requireBuiltServer } from "./replica";

const SIZES = [256, 2048, 2048, 256];
// 16 rows per request: enough work per request (about 80 M multiply-adds) that the driver's and haproxy's
// own CPU per request is small beside a replica's, at a few tens of requests per second. The profile and the
// drive send the same requests.
const ROWS = 16;
const BODY = requestBody(
  { name: "mlp", inputs: [{ name: "input", datatype: "FP32", shape: [-1, SIZES[0]!] }] },
  ROWS,
);
const PEAK_FACTOR = 1.3;
// 10-30x a request's time (6-20 ms on one core, idle or busy): far above the scheduler's stalls on a shared
// machine, so the knee sits near the replica's capacity, and short beside the 1 s windows, so a queue that
// grows within a window shows in its p99.
const P99_TARGET_MS = 200;
// One thread does a replica's work (no worker thread): on a shared core the scheduler gives each runnable
// thread a share, so a replica whose sessions ran on a worker thread would get twice the CPU of one that
// did not, and the server picks by a warm-up timing that varies with the machine's load.
const SERVER_ARGS = ["--instance-thread", "main"];
const canRun = haproxyAvailable() && tasksetAvailable() && availableParallelism() >= 2;
// The replicas, haproxy and this driver run at niceness -10 where allowed (root): the rest of the test suite
// running in parallel on the same cores then takes CPU from them only when they leave it idle, so each
// replica's core is the replica's, as in the profile. Without the privilege they run at the normal priority.
const NICENESS = -10;

interface Attempt {
  readonly perReplica: number;
  readonly kneeP99Ms: number;
  readonly unloadedMs: number;
  readonly p99TargetMs: number;
  readonly peak: number;
  readonly derived: number;
  readonly atDerived: OpenLoopResult;
  readonly atOneFewer: OpenLoopResult;
}

function meets(result: OpenLoopResult, p99TargetMs: number): boolean {
  return result.errors === 0 && result.latencyMs.p99 <= p99TargetMs;
}

async function drive(
  repository: string,
  cpuLists: readonly string[],
  rate: number,
  durationSeconds: number,
  dir: string,
) {
  const replicas: ServerProcess[] = [];
  try {
    for (const cpus of cpuLists)
      replicas.push(
        await startServer({
          repository,
          cpus,
          args: [
            "--intra-op-threads",
            "1",
            "--max-batch-size",
            "1",
            "--drain-delay-seconds",
            "0",
            ...SERVER_ARGS,
          ],
          niceness: NICENESS,
        }),
      );
    const frontendPort = await freePort();
    const statsPort = await freePort();
    const haproxy = await startHaproxy(
      dir,
      {
        frontendPort,
        statsPort,
        servers: Object.fromEntries(replicas.map((replica, i) => [`r${i}`, replica.port])),
        checkIntervalMs: 500,
        balance: "leastconn",
      },
      NICENESS,
    );
    try {
      return await openLoop({
        port: frontendPort,
        path: "/v2/models/mlp/infer",
        body: BODY,
        rate,
        warmupSeconds: 0.5,
        durationSeconds,
        drainSeconds: 15,
      });
    } finally {
      await haproxy.stop();
    }
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
}

async function attempt(repository: string, dir: string): Promise<Attempt> {
  const profile = await profileModel({
    repository,
    model: "mlp",
    batchSizes: [1],
    queueDelaysMs: [0],
    warmupSeconds: 0.25,
    durationSeconds: 1,
    refineSteps: 3,
    p99BudgetMs: P99_TARGET_MS,
    rows: ROWS,
    intraOpThreads: 1,
    instances: 1,
    executionProvider: "cpu",
    cpus: "0",
    niceness: NICENESS,
    serverArgs: SERVER_ARGS,
  });
  const knee = profile.knees[0]!;
  const p99TargetMs = knee.p99BudgetMs;
  const firstGuess = deriveEndpointCapacity(
    profile,
    {
      peakRequestsPerSecond: 1,
      p99Ms: p99TargetMs,
      headroom: 0,
      zones: 1,
      baselineRequestsPerSecond: 1,
      representative: true,
    },
    { batching: { maxBatchSize: 1, maxQueueDelayMs: 0 }, gpusPerReplica: 0 },
  );
  if (!firstGuess.ok) throw new Error(firstGuess.problems.map((p) => p.reason).join("; "));
  const perReplica = firstGuess.capacity.perReplicaRequestsPerSecond;
  const kneeP99Ms = firstGuess.capacity.point.latencyMs.p99;
  const peak = Math.floor(PEAK_FACTOR * perReplica);
  const derived = deriveEndpointCapacity(
    profile,
    {
      peakRequestsPerSecond: peak,
      p99Ms: p99TargetMs,
      headroom: 0,
      zones: 1,
      baselineRequestsPerSecond: peak,
      representative: true,
    },
    { batching: { maxBatchSize: 1, maxQueueDelayMs: 0 }, gpusPerReplica: 0 },
  );
  if (!derived.ok) throw new Error(derived.problems.map((p) => p.reason).join("; "));
  const count = derived.capacity.replicas.max;
  const atDerived = await drive(repository, ["0", "1"].slice(0, count), peak, 3, dir);
  // Overload shows as a queue that grows with time: a longer window makes the verdict clearer.
  const atOneFewer = await drive(repository, ["0"].slice(0, count - 1), peak, 4, dir);
  return {
    perReplica,
    kneeP99Ms,
    unloadedMs: knee.unloadedLatencyMs,
    p99TargetMs,
    peak,
    derived: count,
    atDerived,
    atOneFewer,
  };
}

describe.skipIf(!canRun)("capacity prediction on real processes (haproxy, taskset, open loop)", () => {
  const dir = mkdtempSync(join(tmpdir(), "onnxfleet-capacity-e2e-"));
  const priority = getPriority();
  beforeAll(() => {
    try {
      setPriority(NICENESS);
    } catch {
      // Not permitted: the driver runs at the normal priority.
    }
  });
  afterAll(() => {
    try {
      setPriority(priority);
    } catch {
      // Lowering the priority back is always permitted; nothing to do otherwise.
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("the derived replica count carries the peak within p99; one fewer does not", {
    timeout: 120_000,
  }, async () => {
    requireBuiltServer();
    const repository = join(dir, "models");
    mkdirSync(join(repository, "mlp", "1"), { recursive: true });
    writeFileSync(join(repository, "mlp", "1", "model.onnx"), mlp(SIZES));

    const attempts: Attempt[] = [];
    for (let i = 0; i < 2; i++) {
      const result = await attempt(repository, dir);
      attempts.push(result);
      const summary = {
        attempt: i + 1,
        perReplicaPredicted: result.perReplica,
        perReplicaServedWhenOverloaded: Math.round(result.atOneFewer.completedPerSecond * 10) / 10,
        unloadedMs: result.unloadedMs,
        kneeP99Ms: result.kneeP99Ms,
        p99TargetMs: result.p99TargetMs,
        peak: result.peak,
        derived: result.derived,
        p99AtDerivedMs: result.atDerived.latencyMs.p99,
        errorsAtDerived: result.atDerived.errors,
        p99AtOneFewerMs: result.atOneFewer.latencyMs.p99,
        errorsAtOneFewer: result.atOneFewer.errors,
        driverMaxSendLagMs: Math.round(
          Math.max(result.atDerived.maxSendLagMs, result.atOneFewer.maxSendLagMs),
        ),
      };
      console.log(`capacity e2e ${JSON.stringify(summary)}`);
      if (meets(result.atDerived, result.p99TargetMs) && !meets(result.atOneFewer, result.p99TargetMs)) break;
    }
    const last = attempts[attempts.length - 1]!;
    expect(last.derived).toBe(2);
    expect(last.atDerived.latencyMs.p99).toBeLessThanOrEqual(last.p99TargetMs);
    expect(last.atDerived.errors).toBe(0);
    expect(meets(last.atOneFewer, last.p99TargetMs)).toBe(false);
  });
});
