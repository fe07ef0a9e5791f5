/**
 * Per-replica throughput at a latency SLO, read from a profile: of the measured points (optionally only those
 * of one batching setting), the one with the most requests per second whose p99 latency is within the target
 * and that saw no errors. The points are fixed arrival rates (open loop), so that is the highest rate a
 * replica sustains within the target: the knee of its curve for that target. A profile where no point meets
 * the target is refused with the best p99 it saw.
 */
import type { ProfilePoint } from "./profile";

/** A batching setting of the server: `--max-batch-size` and the queue delay in milliseconds. */
export interface BatchingSetting {
  readonly maxBatchSize: number;
  readonly maxQueueDelayMs: number;
}

/** The answer of {@link throughputAtSlo}. */
export type SloThroughput =
  | {
      readonly met: true;
      /** The chosen point: the most requests per second with p99 <= target. */
      readonly point: ProfilePoint;
      readonly requestsPerSecond: number;
    }
  | {
      readonly met: false;
      /** The lowest p99 of the considered points (no point was within the target). */
      readonly bestP99Ms: number;
      /** The point with that p99. */
      readonly bestPoint: ProfilePoint;
    }
  | { readonly met: false; readonly bestP99Ms: undefined; readonly bestPoint: undefined };

/** True when `point` was measured with `setting`. */
export function hasBatchingSetting(point: ProfilePoint, setting: BatchingSetting): boolean {
  return point.maxBatchSize === setting.maxBatchSize && point.maxQueueDelayMs === setting.maxQueueDelayMs;
}

/**
 * The most requests per second one replica served with p99 <= `p99Ms` and no errors, among `points`.
 * Ties go to the lower p99. With no point within the target, the lowest p99 seen (errors or not).
 */
export function throughputAtSlo(points: readonly ProfilePoint[], p99Ms: number): SloThroughput {
  let best: ProfilePoint | undefined;
  let fastest: ProfilePoint | undefined;
  for (const point of points) {
    if (fastest === undefined || point.latencyMs.p99 < fastest.latencyMs.p99) fastest = point;
    if (point.errors > 0 || point.requests === 0 || point.latencyMs.p99 > p99Ms) continue;
    if (
      best === undefined ||
      point.requestsPerSecond > best.requestsPerSecond ||
      (point.requestsPerSecond === best.requestsPerSecond && point.latencyMs.p99 < best.latencyMs.p99)
    )
      best = point;
  }
  if (best) return { met: true, point: best, requestsPerSecond: best.requestsPerSecond };
  if (fastest) return { met: false, bestP99Ms: fastest.latencyMs.p99, bestPoint: fastest };
  return { met: false, bestP99Ms: undefined, bestPoint: undefined };
}

/**
 * The batching setting whose best point within `p99Ms` serves the most requests per second: the setting
 * `onnxfleet profile --p99-ms` recommends. `undefined` when no point meets the target.
 */
export function recommendBatching(
  points: readonly ProfilePoint[],
  p99Ms: number,
): (BatchingSetting & { readonly point: ProfilePoint }) | undefined {
  const answer = throughputAtSlo(points, p99Ms);
  if (!answer.met) return undefined;
  const { maxBatchSize, maxQueueDelayMs } = answer.point;
  return { maxBatchSize, maxQueueDelayMs, point: answer.point };
}
