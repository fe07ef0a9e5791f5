import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FETCH_ERROR_CODES, FetchError } from "../../server/fetch";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, withRetry } from "../../server/fetch/retry";

describe("fetch retry policy", () => {
  it("backs off with full jitter: below the doubling bound, capped at maxDelayMs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const delay = backoffDelayMs(attempt, DEFAULT_RETRY_POLICY, () => random);
          const bound = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(bound);
        },
      ),
    );
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(2_000);
  });

  it("retries transient failures until success, and stops at once on anything else", async () => {
    const transient = new FetchError(FETCH_ERROR_CODES.TRANSIENT, "503");
    const notices: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient;
        return "done";
      },
      { initialDelayMs: 1 },
      (notice) => notices.push(notice.attempt),
    );
    expect(value).toBe("done");
    expect(notices).toEqual([1, 2]);

    calls = 0;
    const refused = new FetchError(FETCH_ERROR_CODES.SOURCE_REFUSED, "404");
    await expect(
      withRetry(
        async () => {
          calls++;
          throw refused;
        },
        { initialDelayMs: 1 },
        () => {},
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it("gives up after maxAttempts with the last transient error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new FetchError(FETCH_ERROR_CODES.TRANSIENT, `attempt ${calls}`);
        },
        { maxAttempts: 3, initialDelayMs: 1 },
        () => {},
      ),
    ).rejects.toThrow("attempt 3");
    expect(calls).toBe(3);
  });
});
