import { describe, expect, it } from "vitest";
import { fastestRunMs, type RunClock } from "../../server/batching/instance-thread";
import { intraOpThreadsOn } from "../../server/batching/model-settings";

/**
 * A clock that advances only when a run advances it: each run takes `wallMs` of wall time and the process
 * spends `cpuMs` of CPU time meanwhile (per run, in order; the last repeats).
 */
function scriptedRuns(runs: readonly { wallMs: number; cpuMs: number }[], withCpu = true) {
  let wall = 1000;
  let cpu = 500;
  let count = 0;
  const clock: RunClock = withCpu ? { wallMs: () => wall, cpuMs: () => cpu } : { wallMs: () => wall };
  const run = async () => {
    const step = runs[Math.min(count, runs.length - 1)]!;
    count++;
    wall += step.wallMs;
    cpu += step.cpuMs;
  };
  return { clock, run, runs: () => count };
}

describe("fastestRunMs (how instanceThread auto times a model at load)", () => {
  it("GIVEN runs whose wall time swells while other processes hold the cores THEN it counts their CPU time", async () => {
    // A 0.14 ms run timed at 2.5 ms of wall time on a loaded machine: without the CPU clock, a model far
    // under the 1 ms threshold went to a worker thread and paid a thread hop per request.
    const { clock, run } = scriptedRuns([{ wallMs: 2.5, cpuMs: 0.14 }]);
    expect(await fastestRunMs(run, () => [], clock)).toBeCloseTo(0.14, 10);
  });

  it("GIVEN a run spread over several onnxruntime threads (CPU time above wall time) THEN wall time bounds it", async () => {
    const { clock, run } = scriptedRuns([{ wallMs: 0.6, cpuMs: 1.8 }]);
    expect(await fastestRunMs(run, () => [], clock)).toBeCloseTo(0.6, 10);
  });

  it("GIVEN a clock without CPU time (a GPU run waits for the device) THEN wall time alone", async () => {
    const { clock, run } = scriptedRuns([{ wallMs: 3, cpuMs: 0.01 }], false);
    expect(await fastestRunMs(run, () => [], clock)).toBeCloseTo(3, 10);
  });

  it("takes the fastest run, timing at least 3 and more (up to 20) while they fit in 50 ms", async () => {
    const slowFirst = scriptedRuns([
      { wallMs: 5, cpuMs: 5 },
      { wallMs: 4, cpuMs: 4 },
      { wallMs: 2, cpuMs: 2 },
    ]);
    expect(await fastestRunMs(slowFirst.run, () => [], slowFirst.clock)).toBeCloseTo(2, 10);
    // 5 + 4 + 2 * 18 = 45 ms: all twenty runs fit in the budget.
    expect(slowFirst.runs()).toBe(20);
    const slow = scriptedRuns([{ wallMs: 40, cpuMs: 40 }]);
    await fastestRunMs(slow.run, () => [], slow.clock);
    // 3 runs take 120 ms, past the budget: no more.
    expect(slow.runs()).toBe(3);
  });

  it("GIVEN a run that fails THEN undefined", async () => {
    const clock: RunClock = { wallMs: () => 0, cpuMs: () => 0 };
    const failing = async () => {
      throw new Error("synthesised input rejected");
    };
    expect(await fastestRunMs(failing, () => [], clock)).toBeUndefined();
  });
});

describe("intra-op threads by instance thread", () => {
  it("0 means one thread on the main thread (no pool to wake per operator) and onnxruntime's choice on workers; a number is kept", () => {
    expect(intraOpThreadsOn(0, "main")).toBe(1);
    expect(intraOpThreadsOn(0, "worker")).toBe(0);
    expect(intraOpThreadsOn(4, "main")).toBe(4);
    expect(intraOpThreadsOn(4, "worker")).toBe(4);
  });
});
