import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failoverBudget, meetsFailoverBudget, worstCaseFailoverSeconds } from "../../src/capacity/failover";
import { ValidationError } from "../../src/errors";
import { resolveMultiRegionFailoverSpec } from "../../src/specs/resolve-multi-region-failover";

const regions = [
  { region: "us-east-1" as const, endpoint: { hostname: "a.elb.us-east-1.amazonaws.com" } },
  { region: "eu-west-1" as const, endpoint: { hostname: "b.elb.eu-west-1.amazonaws.com" } },
];

describe("worst-case failover time", () => {
  it.each([
    [10, 3, 30, 60],
    [30, 3, 60, 150],
    [10, 1, 0, 10],
    [30, 10, 300, 600],
  ])(
    "interval %i s x threshold %i + TTL %i s = %i s",
    (intervalSeconds, failureThreshold, ttlSeconds, total) => {
      expect(worstCaseFailoverSeconds({ intervalSeconds, failureThreshold, ttlSeconds })).toBe(total);
    },
  );

  it("spells out the arithmetic in prop names", () => {
    expect(failoverBudget({ intervalSeconds: 30, failureThreshold: 3, ttlSeconds: 60 })).toEqual({
      seconds: 150,
      arithmetic: "healthCheck.intervalSeconds (30) x failureThreshold (3) + ttlSeconds (60) = 150 s",
    });
  });

  it("meets a budget equal to the worst case, not one a second shorter", () => {
    const timing = { intervalSeconds: 10, failureThreshold: 3, ttlSeconds: 30 };
    expect(meetsFailoverBudget(timing, 60)).toBe(true);
    expect(meetsFailoverBudget(timing, 59)).toBe(false);
  });

  it("refuses a topology that cannot meet maxFailoverSeconds, showing the arithmetic", () => {
    expect(() =>
      resolveMultiRegionFailoverSpec("global", {
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        domainName: "infer.example.com",
        regions,
        healthCheck: { intervalSeconds: 30, failureThreshold: 3 },
        ttlSeconds: 60,
        maxFailoverSeconds: 60,
      }),
    ).toThrow(
      'MultiRegionFailover "global": maxFailoverSeconds (60) cannot be met: healthCheck.intervalSeconds (30) x failureThreshold (3) + ttlSeconds (60) = 150 s',
    );
  });

  it("accepts the props exactly when interval x threshold + TTL <= maxFailoverSeconds", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(10 as const, 30 as const),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 1000 }),
        (intervalSeconds, failureThreshold, ttlSeconds, maxFailoverSeconds) => {
          const props = {
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            domainName: "infer.example.com",
            regions,
            healthCheck: { intervalSeconds, failureThreshold },
            ttlSeconds,
            maxFailoverSeconds,
          };
          const expected = intervalSeconds * failureThreshold + ttlSeconds <= maxFailoverSeconds;
          let accepted = true;
          try {
            const spec = resolveMultiRegionFailoverSpec("global", props);
            expect(spec.worstCaseFailoverSeconds).toBe(intervalSeconds * failureThreshold + ttlSeconds);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).problems.map((p) => p.path)).toEqual(["maxFailoverSeconds"]);
            accepted = false;
          }
          expect(accepted).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
