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
});
