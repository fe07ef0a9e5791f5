/**
 * N+1 of a MultiRegionFailover whose regions declare capacity: after losing the region that carries the most,
 * the others must carry the global peak at their ceilings (docs/capacity.md).
 */
import { type NPlusOneVerdict, nPlusOne } from "../capacity/n-plus-one";
import { round } from "../capacity/replicas";
import { show, type Validator } from "../validate";
import { checkNumberRange } from "./common";

/**
 * What a region's endpoint can carry: an AutoscaledEndpoint with `capacity` offers it (its plan's
 * `capacity`), a plain endpoint may declare it.
 */
export interface FailoverEndpointCapacity {
  /** Requests per second the region serves at `replicas.max` (and its pool's `nodes.max`). */
  readonly requestsPerSecondAtMax: number;
  /** The region's own declared peak, in requests per second. */
  readonly peakRequestsPerSecond: number;
}

/**
 * The global peak: the declared one, else under latency routing the sum of the regions' peaks (each serves
 * its own clients), under failover routing the largest (the primary serves everyone).
 */
export function globalPeak(
  routing: "failover" | "latency",
  declared: number | undefined,
  capacities: readonly FailoverEndpointCapacity[],
): number {
  if (declared !== undefined) return declared;
  const peaks = capacities.map((capacity) => capacity.peakRequestsPerSecond);
  return routing === "latency" ? peaks.reduce((sum, peak) => sum + peak, 0) : Math.max(...peaks);
}

/**
 * Checks N+1 when any region declares capacity (then every region must); records the shortfall on `check`.
 * @returns the verdict, or `undefined` when no region declares capacity or a problem was recorded.
 */
export function checkFailoverCapacity(
  check: Validator,
  routing: "failover" | "latency",
  regions: readonly { readonly region: string; readonly capacity?: FailoverEndpointCapacity }[],
  declaredPeak: number | undefined,
): NPlusOneVerdict | undefined {
  checkNumberRange(check, "peakRequestsPerSecond", declaredPeak, 0.001, 10_000_000);
  const declaring = regions.filter((region) => region.capacity !== undefined);
  if (declaring.length === 0) {
    if (declaredPeak !== undefined)
      check.add(
        "peakRequestsPerSecond",
        `(${declaredPeak}) needs every region's endpoint to declare capacity (an AutoscaledEndpoint with capacity)`,
      );
    return undefined;
  }
  const before = check.list().length;
  regions.forEach((region, i) => {
    const capacity = region.capacity;
    if (capacity === undefined) {
      check.add(
        `regions[${i}].endpoint.capacity`,
        `is missing while ${declaring.map((r) => r.region).join(", ")} declare capacity: N+1 needs every region's ` +
          "(give the endpoint capacity, or a { requestsPerSecondAtMax, peakRequestsPerSecond })",
      );
      return;
    }
    if (capacity === null || typeof capacity !== "object") {
      check.add(`regions[${i}].endpoint.capacity`, `(${show(capacity)}) must be an object`);
      return;
    }
    checkNumberRange(
      check,
      `regions[${i}].endpoint.capacity.requestsPerSecondAtMax`,
      capacity.requestsPerSecondAtMax,
      0,
      1e9,
    );
    checkNumberRange(
      check,
      `regions[${i}].endpoint.capacity.peakRequestsPerSecond`,
      capacity.peakRequestsPerSecond,
      0,
      1e9,
    );
  });
  if (check.list().length > before || regions.length < 2) return undefined;
  const capacities = regions.map((region) => region.capacity as FailoverEndpointCapacity);
  const peak = globalPeak(routing, declaredPeak, capacities);
  const verdict = nPlusOne(
    regions.map((region, i) => ({
      region: region.region,
      requestsPerSecondAtMax: capacities[i]!.requestsPerSecondAtMax,
    })),
    peak,
  );
  if (!verdict.ok)
    check.add(
      "regions",
      `cannot carry the global peak after losing a region: ${verdict.arithmetic}; raise replicas.max (and the ` +
        `pools' nodes.max) of the surviving regions by ${round(-verdict.marginRequestsPerSecond)} req/s in all, ` +
        "or add a region",
    );
  return verdict.ok ? verdict : undefined;
}
