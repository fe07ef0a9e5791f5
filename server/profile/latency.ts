/** Latency samples -> the percentiles a profile records (nearest-rank). */
import type { ProfileLatency } from "../../src/capacity/profile";

/** The `p`-th percentile (0 to 100) of ascending `sorted` by nearest rank; 0 for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Mean, p50, p90, p99 and max of `samples` in milliseconds, rounded to microseconds. */
export function summarizeLatency(samples: readonly number[]): ProfileLatency {
  const sorted = [...samples].sort((a, b) => a - b);
  const us = (value: number) => Math.round(value * 1000) / 1000;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    mean: us(mean),
    p50: us(percentile(sorted, 50)),
    p90: us(percentile(sorted, 90)),
    p99: us(percentile(sorted, 99)),
    max: us(sorted[sorted.length - 1] ?? 0),
  };
}
