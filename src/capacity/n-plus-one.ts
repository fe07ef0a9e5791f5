/**
 * N+1 across regions: after losing the region that carries the most, can the others carry the global peak?
 * Each region's capacity is what it serves at its ceiling: `perReplica x min(replicas.max, replicas its
 * pool's nodes.max holds)`. The verdict compares the sum over the surviving regions with the global peak.
 */
import { round } from "./replicas";

/** One region's declared capacity. */
export interface RegionCapacity {
  readonly region: string;
  /** Requests per second the region serves at its ceiling. */
  readonly requestsPerSecondAtMax: number;
}

/** The N+1 verdict. */
export interface NPlusOneVerdict {
  readonly ok: boolean;
  /** The region whose loss is checked: the one with the most capacity (the first on a tie). */
  readonly lostRegion: string;
  /** Requests per second the other regions serve at their ceilings. */
  readonly survivingRequestsPerSecond: number;
  readonly globalPeakRequestsPerSecond: number;
  /** `surviving - peak`: negative is the shortfall. */
  readonly marginRequestsPerSecond: number;
  /** e.g. `losing us-east-1 (600 req/s) leaves eu-west-1 400 req/s = 400 req/s < global peak 500 req/s (short by 100 req/s)`. */
  readonly arithmetic: string;
}

/**
 * Checks that the regions other than the largest carry `globalPeak`.
 * @throws Error with fewer than two regions.
 */
export function nPlusOne(regions: readonly RegionCapacity[], globalPeak: number): NPlusOneVerdict {
  if (regions.length < 2) throw new Error("N+1 needs at least two regions");
  let lost = regions[0]!;
  for (const region of regions)
    if (region.requestsPerSecondAtMax > lost.requestsPerSecondAtMax) lost = region;
  const survivors = regions.filter((region) => region !== lost);
  const surviving = survivors.reduce((sum, region) => sum + region.requestsPerSecondAtMax, 0);
  const margin = surviving - globalPeak;
  const ok = margin >= -1e-9;
  const r = round;
  const arithmetic =
    `losing ${lost.region} (${r(lost.requestsPerSecondAtMax)} req/s) leaves ` +
    `${survivors.map((region) => `${region.region} ${r(region.requestsPerSecondAtMax)}`).join(" + ")} = ` +
    `${r(surviving)} req/s ${ok ? ">=" : "<"} global peak ${r(globalPeak)} req/s` +
    (ok ? ` (spare ${r(margin)} req/s)` : ` (short by ${r(-margin)} req/s)`);
  return {
    ok,
    lostRegion: lost.region,
    survivingRequestsPerSecond: surviving,
    globalPeakRequestsPerSecond: globalPeak,
    marginRequestsPerSecond: margin,
    arithmetic,
  };
}
