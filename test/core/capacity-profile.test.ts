// profile.json validation: every problem with its path inside the profile.
import { describe, expect, it } from "vitest";
import { isCapacityProfile, profileProblems } from "../../src/capacity/profile";
import { G5_PROFILE } from "./support/profile-fixture";

describe("profile validation", () => {
  it("accepts a well-formed profile", () => {
    expect(profileProblems(G5_PROFILE)).toEqual([]);
    expect(isCapacityProfile(G5_PROFILE)).toBe(true);
  });

  it("lists every problem with its path", () => {
    const broken = {
      ...G5_PROFILE,
      format: "perf_analyzer",
      machine: { ...G5_PROFILE.machine, cores: 0 },
      points: [
        G5_PROFILE.points[0],
        { ...G5_PROFILE.points[1], requestsPerSecond: -1 },
        { ...G5_PROFILE.points[2], latencyMs: { mean: 1, p50: 9, p90: 5, p99: 8, max: 9 } },
      ],
    };
    expect(profileProblems(broken).map((problem) => problem.path)).toEqual([
      "format",
      "machine.cores",
      "points[1].requestsPerSecond",
      "points[2].latencyMs",
    ]);
  });

  it("refuses a profile without points, and a non-object", () => {
    expect(profileProblems({ ...G5_PROFILE, points: [] }).map((p) => p.path)).toEqual(["points"]);
    expect(profileProblems("profile.json")).toHaveLength(1);
  });

  it("refuses a closed-loop profile of the older format, and points without an arrival rate or GPU memory", () => {
    const old = { ...G5_PROFILE, format: "onnxfleet-profile/1" };
    expect(profileProblems(old)).toEqual([
      {
        path: "format",
        reason:
          '("onnxfleet-profile/1") is a closed-loop profile of an older `onnxfleet profile`, which under-reads what a ' +
          "replica sustains at a fixed arrival rate; profile the model again",
      },
    ]);
    const { arrivalRate: _, peakGpuMemoryBytes: __, ...closedLoopPoint } = G5_PROFILE.points[0]!;
    expect(
      profileProblems({ ...G5_PROFILE, points: [{ ...closedLoopPoint, concurrency: 8 }] }).map((p) => p.path),
    ).toEqual(["points[0].arrivalRate", "points[0].peakGpuMemoryBytes"]);
  });

  it("checks each setting's knee", () => {
    const knee = {
      maxBatchSize: 8,
      maxQueueDelayMs: 2,
      p99BudgetMs: 70,
      unloadedLatencyMs: 12,
      requestsPerSecond: 160,
    };
    expect(profileProblems({ ...G5_PROFILE, knees: [knee, { ...knee, requestsPerSecond: null }] })).toEqual(
      [],
    );
    expect(
      profileProblems({ ...G5_PROFILE, knees: [{ ...knee, p99BudgetMs: 0, requestsPerSecond: -1 }] }).map(
        (p) => p.path,
      ),
    ).toEqual(["knees[0].p99BudgetMs", "knees[0].requestsPerSecond"]);
  });
});
