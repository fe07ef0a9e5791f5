/**
 * `capacity` of an AutoscaledEndpoint -> derived figures, checked against hand-set bounds when both are
 * given. Problems go to the endpoint's Validator with their prop paths.
 */
import { deriveEndpointCapacity, type EndpointCapacity } from "../capacity/endpoint-capacity";
import { loadProfile } from "../capacity/profile-file";
import { round } from "../capacity/replicas";
import type { ModelServicePlan } from "../plan/model-service";
import { show, type Validator } from "../validate";
import { type CapacityProps, CAPACITY_DEFAULTS as D } from "./capacity";
import { checkIntegerRange, checkNumberRange, type MinMax } from "./common";

/** Validates `capacity` and derives its figures; `undefined` when a problem was recorded. */
export function resolveCapacity(
  check: Validator,
  capacity: CapacityProps,
  service: ModelServicePlan,
): EndpointCapacity | undefined {
  if (capacity === null || typeof capacity !== "object") {
    check.add("capacity", `(${show(capacity)}) must be an object { profile, peakRequestsPerSecond, p99Ms }`);
    return undefined;
  }
  const before = check.list().length;
  if (capacity.profile === undefined)
    check.add(
      "capacity.profile",
      "is required: a profile.json object or path (`onnxfleet profile` writes one)",
    );
  if (capacity.peakRequestsPerSecond === undefined)
    check.add("capacity.peakRequestsPerSecond", "is required: the highest request rate to serve");
  else
    checkNumberRange(
      check,
      "capacity.peakRequestsPerSecond",
      capacity.peakRequestsPerSecond,
      0.001,
      10_000_000,
    );
  if (capacity.p99Ms === undefined) check.add("capacity.p99Ms", "is required: the p99 latency target in ms");
  else checkNumberRange(check, "capacity.p99Ms", capacity.p99Ms, 0.001, 3_600_000);
  const headroom = capacity.headroom ?? D.headroom;
  checkNumberRange(check, "capacity.headroom", headroom, 0, 10);
  const zones = capacity.zones ?? D.zones;
  checkIntegerRange(check, "capacity.zones", zones, 1, 10);
  const baseline = capacity.baselineRequestsPerSecond ?? capacity.peakRequestsPerSecond;
  if (capacity.baselineRequestsPerSecond !== undefined) {
    checkNumberRange(check, "capacity.baselineRequestsPerSecond", baseline, 0, 10_000_000);
    if (typeof baseline === "number" && baseline > capacity.peakRequestsPerSecond)
      check.add(
        "capacity.baselineRequestsPerSecond",
        `(${baseline}) must not exceed capacity.peakRequestsPerSecond (${capacity.peakRequestsPerSecond})`,
      );
  }
  const representative = capacity.representative ?? D.representative;
  if (typeof representative !== "boolean")
    check.add("capacity.representative", `(${show(representative)}) must be true or false`);
  if (capacity.profile === undefined || check.list().length > before) return undefined;

  const loaded = loadProfile(capacity.profile);
  if (!loaded.ok) {
    for (const problem of loaded.problems) check.add(problem.path, problem.reason);
    return undefined;
  }
  const binding = service.spec.binding;
  const result = deriveEndpointCapacity(
    loaded.profile,
    {
      peakRequestsPerSecond: capacity.peakRequestsPerSecond,
      p99Ms: capacity.p99Ms,
      headroom,
      zones,
      baselineRequestsPerSecond: baseline,
      representative,
    },
    {
      batching: service.spec.batching,
      gpusPerReplica: service.spec.resources.gpu,
      ...(binding
        ? {
            pool: {
              name: binding.poolName,
              instanceTypes: binding.instanceTypes ?? [],
              gpusPerNode: binding.gpusPerNode,
              maxNodes: binding.maxNodes ?? Number.POSITIVE_INFINITY,
            },
          }
        : {}),
    },
  );
  if (!result.ok) {
    for (const problem of result.problems) check.add(problem.path, problem.reason);
    return undefined;
  }
  return result.capacity;
}

/**
 * Hand-set bounds beside `capacity`: refused when they fall short of the derived ones (too few replicas at
 * the peak, too few to survive a zone, a target above what a replica holds within the p99 target).
 */
export function checkHandBounds(
  check: Validator,
  capacity: EndpointCapacity,
  replicas: MinMax | undefined,
  inflight: number | undefined,
): void {
  const x = round(capacity.perReplicaRequestsPerSecond);
  if (replicas && replicas.max < capacity.replicas.max)
    check.add(
      "replicas.max",
      `(${replicas.max}) falls short of the ${capacity.replicas.max} replicas capacity derives: ${replicas.max} x ` +
        `${x} req/s = ${round(replicas.max * capacity.perReplicaRequestsPerSecond)} req/s < peak ` +
        `${capacity.peakRequestsPerSecond} x (1 + headroom ${capacity.headroom}) = ` +
        `${round(capacity.peakRequestsPerSecond * (1 + capacity.headroom))} req/s; raise it or drop it to use the derived value`,
    );
  if (replicas && replicas.min < capacity.replicas.min)
    check.add(
      "replicas.min",
      `(${replicas.min}) falls short of the ${capacity.replicas.min} replicas capacity derives so that losing one of ` +
        `${capacity.zones} zones still carries ${capacity.baselineRequestsPerSecond} req/s; raise it, lower ` +
        "capacity.baselineRequestsPerSecond, or drop it to use the derived value",
    );
  const atSlo = round(capacity.perReplicaRequestsPerSecond * (capacity.point.latencyMs.mean / 1000));
  if (inflight !== undefined && inflight > atSlo)
    check.add(
      "target.inflightRequestsPerReplica",
      `(${inflight}) exceeds the ${atSlo} requests a replica holds in flight at its p99 target ` +
        `(${x} req/s x ${round(capacity.point.latencyMs.mean)} ms, Little's law): the autoscaler would add ` +
        `replicas only after the p99 is missed; use at most ${atSlo} or drop it to use the derived ` +
        `${capacity.inflightRequestsPerReplica}`,
    );
}
