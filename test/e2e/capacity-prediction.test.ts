// The capacity prediction holds on real processes: profile one pinned onnxfleet-server replica open-loop (the
// knee search of `onnxfleet profile`: fixed arrival rates up to the highest whose p99 meets the budget),
// derive the replicas for a peak rate and p99 target with the core's own math, then drive that peak open-loop
// through haproxy, with the same requests, at the derived count (p99 met) and at one fewer (p99 missed). Each
// replica is pinned to one core (`taskset`, `--intra-op-threads 1`) so the prediction is about a replica, not
// the machine's spare cores. The p99 target (300 ms) is far above a request's time and the scheduler's stalls,
// so the knee sits near the replica's capacity; the peak is 1.25x the knee, so the derived 2 replicas run at
// 0.625 of it and 1 replica at 1.25 (a queue that grows for the whole window). The derived half has the
// wider margin (1.6x) because it is the one a shared machine spoils: two busy replicas contend for memory
// bandwidth and the host's cores where the profile's one did not (a CI run of 2026-12-02 at 1.5x missed p99
// with 2 replicas in both windows); the one-fewer half needs no margin on the slow side, as a replica behind
// haproxy served 84 req/s overloaded against a knee of 115 here. The file runs while no other test file runs
// (vitest.config.mts, project "alone"): beside other files' workers the profile and the drive saw different
// machines. haproxy balances by least connections
// (a replica slowed by a neighbour gets fewer requests); a window that disagrees with the prediction is driven
// once more, and a whole attempt whose verdict disagrees (either half) is made once more from a new profile:
// a profile taken while a neighbour held the machine understates the replica for the rest of the attempt.
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

// Compute-bound, not memory-bound: 256 rows per request through five 768x768 layers, about 760 M
// multiply-adds over 11 MiB of weights (each weight used 256 times per request), 8 ms on one core here, so a
// replica serves about a hundred requests per second and the driver's and haproxy's own CPU per request is
// small beside it. The model it replaced (16 rows through a 64 MiB 4096x4096 matrix) streamed its weights
// from memory on every request: two replicas on two cores each ran 1.3-1.5x slower than one alone (the
// memory bandwidth they share, and share with a shared host's other tenants), so the profile of one replica
// overstated what two could carry (a CI run of 2026-12-02 missed p99 at the derived count in both windows).
// This one runs at the same speed alone and beside a second copy (measured 7.9 ms and 7.8/7.9 ms). The
// profile and the drive send the same requests (4,096 floats, as before).
const SIZES = [16, 768, 768, 768, 768, 768, 768, 16];
const ROWS = 256;
const BODY = requestBody(
  { name: "mlp", inputs: [{ name: "input", datatype: "FP32", shape: [-1, SIZES[0]!] }] },
  ROWS,
);
const PEAK_FACTOR = 1.25;
// 10-30x a request's time: far above the scheduler's stalls on a shared machine, so the knee sits near the
// replica's capacity, and short beside the windows (1 s in the profile, 3-4 s in the drive), so a queue that
// grows within a window shows in its p99.
const P99_TARGET_MS = 300;
// One thread does a replica's work (no worker thread): on a shared core the scheduler gives each runnable
// thread a share, so a replica whose sessions ran on a worker thread would get twice the CPU of one that
// did not, and the server picks by a warm-up timing that varies with the machine's load.
const SERVER_ARGS = ["--instance-thread", "main"];
/** Two replicas pinned to two distinct cores: on a one-core machine the test cannot hold its premise. */
const enoughCores = availableParallelism() >= 2;
// Each replica and haproxy run in a session of their own: with Linux's autogroup scheduling the CPU is shared
// between sessions first, so replicas started from this test's session would share one session's CPU (the
// other sessions on a shared machine taking the rest), where pods on a node each get their own share. And
// priorities where allowed (root): the replicas at niceness -5, haproxy and this driver at -15, so the
// driver and haproxy, which need little CPU but need it at once, are not queued behind a busy replica (a late
// send counts in the latency). Without the privilege they run at the normal priority.
const REPLICA_NICENESS = -5;
const DRIVER_NICENESS = -15;

interface Attempt {
  readonly perReplica: number;
  readonly kneeP99Ms: number;
  readonly unloadedMs: number;
  readonly p99TargetMs: number;
  readonly peak: number;
  readonly derived: number;
  /** The windows at the derived count (a second only when the first missed). */
  readonly atDerived: readonly OpenLoopResult[];
  /** The windows at one fewer (a second only when the first met). */
  readonly atOneFewer: readonly OpenLoopResult[];
}

function meets(result: OpenLoopResult, p99TargetMs: number): boolean {
  return result.errors === 0 && result.latencyMs.p99 <= p99TargetMs;
}

/** The prediction held: 2 replicas derived, a window at that count met p99, a window at one fewer missed. */
function holds(a: Attempt): boolean {
  return (
    a.derived === 2 &&
    a.atDerived.some((r) => meets(r, a.p99TargetMs)) &&
    a.atOneFewer.some((r) => !meets(r, a.p99TargetMs))
  );
}

/** An attempt's figures, for the log and the assertions' messages. */
function summarize(a: Attempt) {
  return {
    perReplicaPredicted: a.perReplica,
    perReplicaServedWhenOverloaded: a.atOneFewer.map((r) => Math.round(r.completedPerSecond * 10) / 10),
    unloadedMs: a.unloadedMs,
    kneeP99Ms: a.kneeP99Ms,
    p99TargetMs: a.p99TargetMs,
    peak: a.peak,
    derived: a.derived,
    p99AtDerivedMs: a.atDerived.map((r) => r.latencyMs.p99),
    errorsAtDerived: a.atDerived.map((r) => r.errors),
    p99AtOneFewerMs: a.atOneFewer.map((r) => r.latencyMs.p99),
    errorsAtOneFewer: a.atOneFewer.map((r) => r.errors),
    driverMaxSendLagMs: Math.round(Math.max(...[...a.atDerived, ...a.atOneFewer].map((r) => r.maxSendLagMs))),
  };
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
          niceness: REPLICA_NICENESS,
          ownSession: true,
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
      DRIVER_NICENESS,
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
    niceness: REPLICA_NICENESS,
    ownSession: true,
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
  // Each half is driven once more when its first window disagrees with the prediction: on a shared machine
  // a stall of the driver or a neighbour on a replica's core can spoil one window. A wrong prediction fails
  // both windows.
  const atDerived: OpenLoopResult[] = [];
  do atDerived.push(await drive(repository, ["0", "1"].slice(0, count), peak, 3, dir));
  while (atDerived.length < 2 && !meets(atDerived.at(-1)!, p99TargetMs));
  // Overload shows as a queue that grows with time: a longer window makes the verdict clearer.
  const atOneFewer: OpenLoopResult[] = [];
  do atOneFewer.push(await drive(repository, ["0"].slice(0, count - 1), peak, 4, dir));
  while (atOneFewer.length < 2 && meets(atOneFewer.at(-1)!, p99TargetMs));
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

it("haproxy and taskset are installed (apt-get install haproxy util-linux; .ci/run does): fails, never skips, without them", () => {
  expect(haproxyAvailable(), "haproxy").toBe(true);
  expect(tasksetAvailable(), "taskset").toBe(true);
});

describe.skipIf(!enoughCores)(
  "capacity prediction on real processes (haproxy, taskset, open loop; skipped below 2 cores)",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "onnxfleet-capacity-e2e-"));
    const priority = getPriority();
    beforeAll(() => {
      try {
        setPriority(DRIVER_NICENESS);
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
      timeout: 180_000,
    }, async () => {
      requireBuiltServer();
      const repository = join(dir, "models");
      mkdirSync(join(repository, "mlp", "1"), { recursive: true });
      writeFileSync(join(repository, "mlp", "1", "model.onnx"), mlp(SIZES));

      const first = await attempt(repository, dir);
      const result = holds(first) ? first : await attempt(repository, dir);
      const summaries = (result === first ? [first] : [first, result]).map(summarize);
      console.log(`capacity e2e ${JSON.stringify(summaries)}`);
      // The figures of every attempt ride on each assertion: CI keeps only the tail of the output.
      const figures = JSON.stringify(summaries);
      expect(result.derived, figures).toBe(2);
      expect(
        result.atDerived.some((r) => meets(r, result.p99TargetMs)),
        figures,
      ).toBe(true);
      expect(
        result.atOneFewer.some((r) => !meets(r, result.p99TargetMs)),
        figures,
      ).toBe(true);
    });
  },
);
