/**
 * Failover-time math of DNS failover with Route53 health checks.
 *
 * Worst case, a region dies just after a passing probe. Route53 needs `failureThreshold` consecutive
 * failed probes, one every `intervalSeconds`, before it marks the region unhealthy and stops answering with
 * it; resolvers and clients may then keep the old answer for up to `ttlSeconds`. So the worst-case time
 * until clients reach a healthy region is `intervalSeconds x failureThreshold + ttlSeconds`. (Route53's own
 * propagation of the health status, usually a few seconds, is not part of the budget.)
 */

/** The inputs of the failover time. */
export interface FailoverTiming {
  /** Seconds between health-check probes. */
  readonly intervalSeconds: number;
  /** Consecutive failures before a region counts as unhealthy. */
  readonly failureThreshold: number;
  /** TTL of the DNS records, in seconds. */
  readonly ttlSeconds: number;
}

/** The worst-case failover time and the arithmetic behind it, for messages and docs. */
export interface FailoverBudget {
  /** `intervalSeconds x failureThreshold + ttlSeconds`. */
  readonly seconds: number;
  /** e.g. `healthCheck.intervalSeconds (30) x failureThreshold (3) + ttlSeconds (60) = 150 s`. */
  readonly arithmetic: string;
}

/** Worst-case seconds until clients stop reaching a failed region: `interval x threshold + TTL`. */
export function worstCaseFailoverSeconds(timing: FailoverTiming): number {
  return timing.intervalSeconds * timing.failureThreshold + timing.ttlSeconds;
}

/** {@link worstCaseFailoverSeconds} with its arithmetic spelled out in prop names. */
export function failoverBudget(timing: FailoverTiming): FailoverBudget {
  const seconds = worstCaseFailoverSeconds(timing);
  return {
    seconds,
    arithmetic:
      `healthCheck.intervalSeconds (${timing.intervalSeconds}) x failureThreshold (${timing.failureThreshold})` +
      ` + ttlSeconds (${timing.ttlSeconds}) = ${seconds} s`,
  };
}

/** True when the worst-case failover time fits within `maxFailoverSeconds`. */
export function meetsFailoverBudget(timing: FailoverTiming, maxFailoverSeconds: number): boolean {
  return worstCaseFailoverSeconds(timing) <= maxFailoverSeconds;
}
