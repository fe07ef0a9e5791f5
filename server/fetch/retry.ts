import { setTimeout as sleep } from "node:timers/promises";
import { FetchError } from "./errors";

/** How often and how patiently a transient failure is retried. */
export interface RetryPolicy {
  /**
   * Attempts in all, the first included; 1 turns retries off.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * Upper bound of the first backoff; each later bound doubles, capped at `maxDelayMs`.
   * @default 1_000
   */
  readonly initialDelayMs?: number;
  /**
   * Cap on one backoff.
   * @default 30_000
   */
  readonly maxDelayMs?: number;
}

/** Defaults of `RetryPolicy`. */
export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = {
  maxAttempts: 5,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
};

/**
 * The backoff before attempt `attempt + 1` ("full jitter"): uniform in [0, min(max, initial * 2^(attempt-1))),
 * so that many init containers failing together do not retry in step.
 */
export function backoffDelayMs(attempt: number, policy: Required<RetryPolicy>, random: () => number): number {
  const bound = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * bound);
}

/** What the retry loop tells its caller before sleeping. */
export interface RetryNotice {
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  /** Attempts allowed in all. */
  readonly maxAttempts: number;
  /** The backoff before the next attempt. */
  readonly delayMs: number;
  /** Why the attempt failed (always transient). */
  readonly error: FetchError;
}

/**
 * Runs `attempt(n)` until it succeeds, fails with a non-transient error, or `maxAttempts` is spent.
 * Only `FetchError`s with `transient` set are retried; anything else is rethrown at once.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry: (notice: RetryNotice) => void,
  signal?: AbortSignal,
  random: () => number = Math.random,
): Promise<T> {
  const resolved = { ...DEFAULT_RETRY_POLICY, ...policy };
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof FetchError) || !error.transient || n >= resolved.maxAttempts) throw error;
      const delayMs = backoffDelayMs(n, resolved, random);
      onRetry({ attempt: n, maxAttempts: resolved.maxAttempts, delayMs, error });
      await sleep(delayMs, undefined, signal ? { signal } : undefined);
    }
  }
}
