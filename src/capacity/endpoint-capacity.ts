/**
 * An AutoscaledEndpoint's capacity from a measured profile: the per-replica throughput at the p99 target,
 * replica bounds, the autoscaler's in-flight target, the batching setting, and GPUs and nodes on the pool.
 * Pure: takes a parsed profile and plain facts about the service and its pool; answers figures or problems
 * (paths relative to the endpoint's props).
 */
import { ERROR_CODES, type Problem } from "../errors";
import { show } from "../validate";
import { inflightTarget } from "./inflight-target";
import { fitOnPool, nodesForReplicas } from "./nodes";
import type { CapacityProfile, ProfilePoint } from "./profile";
import { deriveReplicas, round } from "./replicas";
import {
  type BatchingSetting,
  hasBatchingSetting,
  recommendBatching,
  throughputAtSlo,
} from "./slo-throughput";

/** What the endpoint declares, defaults applied. */
export interface CapacityDemand {
  readonly peakRequestsPerSecond: number;
  readonly p99Ms: number;
  readonly headroom: number;
  readonly zones: number;
  readonly baselineRequestsPerSecond: number;
  /** The profile stands for the pool's nodes although it was measured elsewhere. */
  readonly representative: boolean;
}

/** What the ModelService and its pool offer. */
export interface CapacitySupply {
  /** The service's declared batching; `undefined`: any measured setting may be chosen (and must be applied). */
  readonly batching: BatchingSetting | undefined;
  /** GPUs per pod (0: CPU pods). */
  readonly gpusPerReplica: number;
  /** The node pool the pods run on, when there is one. */
  readonly pool?: {
    readonly name: string;
    readonly instanceTypes: readonly string[];
    readonly gpusPerNode: number;
    readonly maxNodes: number;
  };
}

/** The derived figures. */
export interface EndpointCapacity {
  readonly peakRequestsPerSecond: number;
  readonly p99Ms: number;
  readonly headroom: number;
  readonly zones: number;
  readonly baselineRequestsPerSecond: number;
  /** Requests per second one replica serves within the p99 target (the chosen point's). */
  readonly perReplicaRequestsPerSecond: number;
  /** The profile point the figures come from. */
  readonly point: ProfilePoint;
  /** The batching setting of that point: the ModelService must run with it for the figures to hold. */
  readonly batching: BatchingSetting;
  /** The best setting of the whole profile within the target (may differ from a declared `batching`). */
  readonly recommendedBatching: BatchingSetting;
  readonly replicas: { readonly min: number; readonly max: number };
  /** Replicas that carry the peak without headroom. */
  readonly replicasForPeak: number;
  /** The HPA's target, by Little's law. */
  readonly inflightRequestsPerReplica: number;
  /** GPUs at min and max replicas (0 for CPU pods). */
  readonly gpus: { readonly min: number; readonly max: number };
  /** Nodes of the pool at min and max replicas; absent without a GPU pool. */
  readonly nodes?: {
    readonly min: number;
    readonly max: number;
    readonly replicasPerNode: number;
    readonly poolMaxNodes: number;
  };
  /** Requests per second at the ceiling: `perReplica x min(replicas.max, replicas the pool's nodes.max hold)`. */
  readonly requestsPerSecondAtMax: number;
  /** One line per derived figure. */
  readonly arithmetic: readonly string[];
}

/** Derived capacity, or every problem found. */
export type CapacityResult =
  | { readonly ok: true; readonly capacity: EndpointCapacity }
  | { readonly ok: false; readonly problems: readonly Problem[] };

function describeSetting(setting: BatchingSetting): string {
  return `maxBatchSize ${setting.maxBatchSize}, maxQueueDelayMs ${setting.maxQueueDelayMs}`;
}

function representativeProblems(
  profile: CapacityProfile,
  demand: CapacityDemand,
  supply: CapacitySupply,
): Problem[] {
  if (demand.representative) return [];
  const measured = profile.machine.instanceType;
  const where = `was measured on ${measured ?? `an unnamed machine (${profile.machine.cpuModel}, ${profile.machine.cores} core(s))`}`;
  const fix =
    "profile on the pool's instance type (`onnxfleet profile --instance-type TYPE`) or set capacity.representative: true";
  const problems: Problem[] = [];
  if (!supply.pool)
    problems.push({
      path: "capacity.profile",
      reason: `${where} and the ModelService has no node pool, so nothing says the profile stands for its nodes; ${fix}`,
    });
  else {
    const others =
      supply.pool.instanceTypes.length === 0
        ? ["instance types onnxfleet does not know"]
        : supply.pool.instanceTypes.filter((type) => type !== measured);
    if (others.length > 0)
      problems.push({
        path: "capacity.profile",
        reason: `${where}, but node pool ${show(supply.pool.name)} runs ${others.join(", ")}; ${fix}`,
      });
  }
  const wantsGpu = supply.gpusPerReplica > 0;
  if (wantsGpu !== (profile.server.executionProvider === "cuda"))
    problems.push({
      path: "capacity.profile",
      reason:
        `was measured with the ${profile.server.executionProvider} execution provider, but the ModelService's pods ` +
        `run on ${wantsGpu ? "GPUs (cuda)" : "CPU"}; ${fix}`,
    });
  return problems;
}

/** Derives the endpoint's capacity; see the modules it combines for each rule. */
export function deriveEndpointCapacity(
  profile: CapacityProfile,
  demand: CapacityDemand,
  supply: CapacitySupply,
): CapacityResult {
  const problems = representativeProblems(profile, demand, supply);
  const points = supply.batching
    ? profile.points.filter((point) => hasBatchingSetting(point, supply.batching!))
    : profile.points;
  if (points.length === 0) {
    const measured = [...new Set(profile.points.map((p) => describeSetting(p)))].join("; ");
    problems.push({
      path: "capacity.profile",
      reason:
        `has no point measured with the ModelService's batching (${describeSetting(supply.batching!)}); ` +
        `measured: ${measured}. Profile that setting, or set the ModelService's batching to a measured one`,
    });
    return { ok: false, problems };
  }
  const answer = throughputAtSlo(points, demand.p99Ms);
  if (!answer.met) {
    problems.push({
      path: "capacity.p99Ms",
      reason:
        `(${demand.p99Ms}) is met by no point of the profile` +
        (supply.batching ? ` with the ModelService's batching (${describeSetting(supply.batching)})` : "") +
        (answer.bestPoint
          ? `: the best p99 it saw is ${round(answer.bestP99Ms)} ms (${describeSetting(answer.bestPoint)}, ` +
            `${answer.bestPoint.arrivalRate} req/s offered); raise p99Ms to at least that, or use faster nodes`
          : ""),
    });
    return { ok: false, problems };
  }
  if (problems.length > 0) return { ok: false, problems };

  const point = answer.point;
  const x = answer.requestsPerSecond;
  const bounds = deriveReplicas({
    perReplicaRequestsPerSecond: x,
    peakRequestsPerSecond: demand.peakRequestsPerSecond,
    headroom: demand.headroom,
    zones: demand.zones,
    baselineRequestsPerSecond: demand.baselineRequestsPerSecond,
  });
  const target = inflightTarget(x, point.latencyMs.mean, demand.headroom);
  const recommended = recommendBatching(profile.points, demand.p99Ms);
  const batching = { maxBatchSize: point.maxBatchSize, maxQueueDelayMs: point.maxQueueDelayMs };
  const arithmetic = [
    `per replica: ${round(x)} req/s at p99 ${round(point.latencyMs.p99)} ms <= ${demand.p99Ms} ms ` +
      `(${describeSetting(point)}, sustained at a fixed arrival rate of ${point.arrivalRate} req/s)`,
    ...bounds.arithmetic,
    `target.inflightRequestsPerReplica = ${round(x)} req/s x mean ${round(point.latencyMs.mean)} ms / ` +
      `(1 + ${round(demand.headroom)}) = ${target} (Little's law)`,
  ];
  let nodes: EndpointCapacity["nodes"];
  let ceilingReplicas = bounds.max;
  const pool = supply.pool;
  if (pool && supply.gpusPerReplica > 0 && pool.gpusPerNode >= supply.gpusPerReplica) {
    const atMin = nodesForReplicas(bounds.min, supply.gpusPerReplica, pool.gpusPerNode);
    const atMax = fitOnPool(bounds.max, supply.gpusPerReplica, pool);
    nodes = {
      min: atMin.nodes,
      max: atMax.nodes,
      replicasPerNode: atMax.replicasPerNode,
      poolMaxNodes: pool.maxNodes,
    };
    ceilingReplicas = Math.min(bounds.max, atMax.podsOnPool);
    arithmetic.push(
      `nodes.max = ceil(${bounds.max} replicas / floor(${pool.gpusPerNode} GPU(s) per node / ` +
        `${supply.gpusPerReplica} per replica) = ${atMax.replicasPerNode} per node) = ${atMax.nodes}`,
    );
    if (!atMax.fits)
      return {
        ok: false,
        problems: [
          {
            path: "capacity.peakRequestsPerSecond",
            reason:
              `(${demand.peakRequestsPerSecond}) needs replicas.max ${bounds.max} on ${atMax.nodes} node(s) of ` +
              `node pool ${show(pool.name)}, which holds only ${atMax.poolArithmetic} ` +
              `(${round(x * atMax.podsOnPool)} req/s); raise the pool's nodes.max to ${atMax.nodes}`,
            code: ERROR_CODES.POOL_GPUS_EXCEEDED,
          },
        ],
      };
  }
  return {
    ok: true,
    capacity: {
      peakRequestsPerSecond: demand.peakRequestsPerSecond,
      p99Ms: demand.p99Ms,
      headroom: demand.headroom,
      zones: demand.zones,
      baselineRequestsPerSecond: demand.baselineRequestsPerSecond,
      perReplicaRequestsPerSecond: x,
      point,
      batching,
      recommendedBatching: recommended
        ? { maxBatchSize: recommended.maxBatchSize, maxQueueDelayMs: recommended.maxQueueDelayMs }
        : batching,
      replicas: { min: bounds.min, max: bounds.max },
      replicasForPeak: bounds.forPeak,
      inflightRequestsPerReplica: target,
      gpus: { min: bounds.min * supply.gpusPerReplica, max: bounds.max * supply.gpusPerReplica },
      ...(nodes ? { nodes } : {}),
      requestsPerSecondAtMax: x * ceilingReplicas,
      arithmetic,
    },
  };
}
