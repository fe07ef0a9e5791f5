/**
 * Replica bounds from a per-replica throughput.
 *
 * - Replicas that carry a rate at the SLO: `need(rate) = ceil(rate / perReplica)`, at least 1 (a peak below
 *   one replica's throughput still needs one replica).
 * - `max = ceil(peak x (1 + headroom) / perReplica)`: the peak with headroom for the autoscaler's lag.
 * - `min`, the surviving-zone rule: pods spread evenly over `Z` zones (the ModelService's topology spread), so
 *   losing the zone with the most pods loses `ceil(R / Z)` of `R`, leaving `R - ceil(R / Z) = floor(R x (Z-1)
 *   / Z)`. That is at least `need(baseline)` exactly when `R >= need(baseline) x Z / (Z - 1)`, so
 *   `min = ceil(need(baseline) x Z / (Z - 1))` (with one zone there is nothing to survive: `min =
 *   need(baseline)`). The baseline defaults to the peak: a zone lost at the peak leaves enough pods, before
 *   the autoscaler or new GPU nodes arrive.
 * - When the zone rule asks for more than the headroom does, `max` is raised to `min`.
 */

/** Inputs of {@link deriveReplicas}. */
export interface ReplicaInputs {
  /** Requests per second one replica serves within the SLO. */
  readonly perReplicaRequestsPerSecond: number;
  readonly peakRequestsPerSecond: number;
  /** Fraction added to the peak for `max`, e.g. 0.2. */
  readonly headroom: number;
  /** Availability zones the pods are spread over. */
  readonly zones: number;
  /** Rate that must survive the loss of one zone. */
  readonly baselineRequestsPerSecond: number;
}

/** Replica bounds and the arithmetic behind them. */
export interface ReplicaBounds {
  readonly min: number;
  readonly max: number;
  /** `need(peak)`: replicas that carry the peak at the SLO, without headroom. */
  readonly forPeak: number;
  /** `ceil(peak x (1 + headroom) / perReplica)`. */
  readonly forPeakWithHeadroom: number;
  /** `need(baseline)`. */
  readonly forBaseline: number;
  /** One line per figure, with the numbers. */
  readonly arithmetic: readonly string[];
}

// Rounding guard: 300 / 100 must stay 3, not 3.0000000000000004 -> 4.
const EPSILON = 1e-9;

/** `ceil(x)` that forgives floating-point noise just above an integer. */
export function ceilCount(x: number): number {
  return Math.ceil(x - EPSILON);
}

/** Replicas that carry `rate` requests per second at `perReplica` each: `ceil(rate / perReplica)`, at least 1. */
export function replicasFor(rate: number, perReplica: number): number {
  return Math.max(1, ceilCount(rate / perReplica));
}

/** The smallest `R` such that losing the fullest of `zones` zones leaves at least `needed` of `R` replicas. */
export function survivingZoneReplicas(needed: number, zones: number): number {
  if (zones <= 1) return needed;
  return ceilCount((needed * zones) / (zones - 1));
}

/** Replica bounds for a peak, a headroom and a zone count; see the file's comment for the rules. */
export function deriveReplicas(inputs: ReplicaInputs): ReplicaBounds {
  const x = inputs.perReplicaRequestsPerSecond;
  const forPeak = replicasFor(inputs.peakRequestsPerSecond, x);
  const withHeadroom = inputs.peakRequestsPerSecond * (1 + inputs.headroom);
  const forPeakWithHeadroom = replicasFor(withHeadroom, x);
  const forBaseline = replicasFor(inputs.baselineRequestsPerSecond, x);
  const min = survivingZoneReplicas(forBaseline, inputs.zones);
  const max = Math.max(forPeakWithHeadroom, min);
  const r = round;
  const arithmetic = [
    `replicas.max = ceil(peak ${r(inputs.peakRequestsPerSecond)} x (1 + headroom ${r(inputs.headroom)}) / ` +
      `${r(x)} req/s per replica) = ceil(${r(withHeadroom / x)}) = ${forPeakWithHeadroom}` +
      (max > forPeakWithHeadroom ? `, raised to replicas.min ${min}` : ""),
    inputs.zones <= 1
      ? `replicas.min = ceil(baseline ${r(inputs.baselineRequestsPerSecond)} / ${r(x)}) = ${min} (one zone)`
      : `replicas.min = ceil(ceil(baseline ${r(inputs.baselineRequestsPerSecond)} / ${r(x)}) = ${forBaseline}` +
        ` x ${inputs.zones} zones / ${inputs.zones - 1}) = ${min} (losing one zone leaves ${min - Math.ceil(min / inputs.zones)})`,
  ];
  return { min, max, forPeak, forPeakWithHeadroom, forBaseline, arithmetic };
}

/** A number for a message: at most 3 decimals, no trailing zeros. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
