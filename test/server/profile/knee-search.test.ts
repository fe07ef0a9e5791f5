// The knee search of `onnxfleet profile` against a replica whose answers are worked out by hand: a queue with
// a fixed capacity, where the p99 grows with the load and a rate above the capacity leaves answers behind.
import { describe, expect, it } from "vitest";
import { meetsBudget, type RateMeasurement, searchKnee } from "../../../server/profile/knee";

/** A replica serving at most `capacity` req/s, with p99 = service / (1 - load) below it. */
function replica(capacity: number, serviceMs: number) {
  const rates: number[] = [];
  const measure = async (rate: number): Promise<RateMeasurement> => {
    rates.push(rate);
    const load = rate / capacity;
    return load < 1
      ? { rate, errors: 0, p99Ms: serviceMs / (1 - load), completedPerSecond: rate }
      : { rate, errors: 0, p99Ms: 10_000, completedPerSecond: capacity };
  };
  return { measure, rates };
}

describe("knee search", () => {
  it("ramps by 1.5x to the first miss, then bisects three times; the knee is the last rate that met", async () => {
    // p99 = 10 / (1 - r/100) <= 50 ms  <=>  r <= 80 req/s.
    const { measure, rates } = replica(100, 10);
    const result = await searchKnee(measure, { startRate: 20, p99BudgetMs: 50 });
    // Ramp: 20, 30, 45, 67.5 meet; 101.25 misses. Bisection (geometric): sqrt(67.5 x 101.25) = 82.670 misses
    // (p99 57.7 ms), sqrt(67.5 x 82.670) = 74.701 meets (39.5 ms), sqrt(74.701 x 82.670) = 78.585 meets (46.7 ms).
    expect(rates).toEqual([20, 30, 45, 67.5, 101.25, 82.67, 74.701, 78.585]);
    expect(result.kneeRate).toBe(78.585);
    expect(result.missRate).toBe(82.67);
    expect(result.measurements).toHaveLength(8);
  });

  it("steps down from a start that already misses", async () => {
    const { measure, rates } = replica(10, 10);
    // p99 <= 50 ms <=> r <= 8 req/s; start at 20: 20, 13.33 and 8.889 miss, 5.926 meets; then bisection.
    const result = await searchKnee(measure, { startRate: 20, p99BudgetMs: 50, refineSteps: 1 });
    expect(rates.slice(0, 4)).toEqual([20, 13.333, 8.889, 5.926]);
    expect(rates[4]).toBeCloseTo(Math.sqrt(5.926 * 8.889), 2);
    expect(result.kneeRate).toBe(7.258);
  });

  it("reports no knee when no rate meets the budget", async () => {
    const { measure } = replica(100, 10);
    // p99 is at least 10 ms: a 5 ms budget is never met.
    const result = await searchKnee(measure, { startRate: 50, p99BudgetMs: 5, maxRampSteps: 3 });
    expect(result.kneeRate).toBeUndefined();
    expect(result.missRate).toBe(14.815);
    expect(result.measurements).toHaveLength(4);
  });

  it("a rate whose answers fall behind, or that saw an error, does not meet even with a low p99", () => {
    const base = { rate: 100, errors: 0, p99Ms: 20, completedPerSecond: 100 };
    expect(meetsBudget(base, 50)).toBe(true);
    expect(meetsBudget({ ...base, completedPerSecond: 94 }, 50)).toBe(false);
    expect(meetsBudget({ ...base, errors: 1 }, 50)).toBe(false);
    expect(meetsBudget({ ...base, p99Ms: 51 }, 50)).toBe(false);
  });
});
