/**
 * The figures `onnxfleet plan` prints for a planned topology: per endpoint its region, replicas, GPUs and
 * nodes (derived from `capacity` or set by hand) and an hourly on-demand cost at min and max; per
 * multi-region failover its N+1 verdict and worst-case failover time. Plain data, formatted by the CLI.
 */
import { GPU_PRICES_REGION, type OnDemandPrice, onDemandPrice } from "../catalog/gpu-prices";
import type { TopologyFile, TopologyPlan } from "../render";
import { failoverBudget } from "./failover";
import type { NPlusOneVerdict } from "./n-plus-one";
import { nodesForReplicas } from "./nodes";

/** A cost range in USD per hour: equal ends when the pool has one instance type. */
export interface UsdRange {
  readonly low: number;
  readonly high: number;
}

/** One endpoint's figures. */
export interface EndpointReport {
  readonly name: string;
  /** Regions whose failover names the endpoint (empty when none does). */
  readonly regions: readonly string[];
  readonly service: string;
  readonly pool: string | undefined;
  readonly instanceTypes: readonly string[];
  /** Where the bounds come from. */
  readonly source: "capacity" | "hand";
  readonly replicas: { readonly min: number; readonly max: number };
  readonly inflightRequestsPerReplica: number;
  readonly gpus: { readonly min: number; readonly max: number };
  /** Absent for CPU pods or without a GPU pool. */
  readonly nodes?: { readonly min: number; readonly max: number };
  /** Absent when a node count or a price is unknown; `costNote` says why. */
  readonly costUsdPerHour?: { readonly min: UsdRange; readonly max: UsdRange };
  readonly costNote?: string;
  /**
   * The region whose list prices apply: the endpoint's (its MultiRegionFailover region), or us-east-1 when
   * no failover names it (`costNote` says so).
   */
  readonly priceRegion: string;
  /** Each price used, with its date and source. */
  readonly prices: readonly (OnDemandPrice & { readonly instanceType: string })[];
  /** With capacity: the derivation, one line per figure. */
  readonly arithmetic: readonly string[];
}

/** One failover's figures. */
export interface FailoverReport {
  readonly name: string;
  readonly routing: string;
  readonly regions: readonly string[];
  readonly worstCaseFailoverSeconds: number;
  readonly failoverArithmetic: string;
  /** Absent when the regions declare no capacity. */
  readonly nPlusOne?: NPlusOneVerdict;
}

/** Everything `onnxfleet plan` prints. */
export interface TopologyReport {
  readonly endpoints: readonly EndpointReport[];
  readonly failovers: readonly FailoverReport[];
}

function costRange(nodes: number, prices: readonly number[]): UsdRange {
  return { low: nodes * Math.min(...prices), high: nodes * Math.max(...prices) };
}

/** The figures of `plan`, the plan of `topology`. */
export function topologyReport(topology: TopologyFile, plan: TopologyPlan): TopologyReport {
  const endpointRegions = new Map<string, string[]>();
  for (const failover of Object.values(topology.multiRegionFailovers ?? {}))
    for (const region of failover.regions ?? [])
      endpointRegions.set(region.endpoint, [...(endpointRegions.get(region.endpoint) ?? []), region.region]);

  const endpoints = Object.entries(plan.autoscaledEndpoints).map(([name, endpoint]): EndpointReport => {
    const serviceName = topology.autoscaledEndpoints?.[name]?.service ?? "";
    const service = plan.modelServices[serviceName];
    const poolName = topology.modelServices?.[serviceName]?.nodePool;
    const pool = poolName === undefined ? undefined : plan.gpuNodePools[poolName];
    const instanceTypes = pool?.spec.instanceTypes ?? [];
    const gpusPerReplica = service?.spec.resources.gpu ?? 0;
    const { replicas } = endpoint.spec;
    const capacity = endpoint.capacity;
    const gpusPerNode = pool?.binding.gpusPerNode ?? 0;
    const nodes =
      capacity?.nodes ??
      (gpusPerReplica > 0 && gpusPerNode >= gpusPerReplica
        ? {
            min: nodesForReplicas(replicas.min, gpusPerReplica, gpusPerNode).nodes,
            max: nodesForReplicas(replicas.max, gpusPerReplica, gpusPerNode).nodes,
          }
        : undefined);
    const declaredRegion = endpointRegions.get(name)?.[0];
    const priceRegion = declaredRegion ?? GPU_PRICES_REGION;
    const found = instanceTypes.map((instanceType) => ({
      instanceType,
      price: onDemandPrice(instanceType, priceRegion),
    }));
    const prices = found.flatMap(({ instanceType, price }) => (price ? [{ ...price, instanceType }] : []));
    const missing = found.filter(({ price }) => !price).map(({ instanceType }) => instanceType);
    let cost: EndpointReport["costUsdPerHour"];
    let costNote: string | undefined;
    if (!nodes) costNote = "no GPU nodes to price (CPU pods, or no node pool)";
    else if (missing.length > 0)
      costNote =
        `no list price for ${missing.join(", ")} in ${priceRegion} in the catalog ` +
        "(src/catalog/gpu-prices.ts); not priced from another region";
    else {
      const usd = prices.map((price) => price.usdPerHour);
      cost = { min: costRange(nodes.min, usd), max: costRange(nodes.max, usd) };
      if (!declaredRegion)
        costNote = `no region declared (no MultiRegionFailover names the endpoint): ${priceRegion} list prices`;
    }
    return {
      name,
      regions: endpointRegions.get(name) ?? [],
      service: serviceName,
      pool: poolName,
      instanceTypes,
      source: capacity ? "capacity" : "hand",
      replicas: { min: replicas.min, max: replicas.max },
      inflightRequestsPerReplica: endpoint.spec.inflightRequestsPerReplica,
      gpus: { min: replicas.min * gpusPerReplica, max: replicas.max * gpusPerReplica },
      ...(nodes ? { nodes: { min: nodes.min, max: nodes.max } } : {}),
      ...(cost ? { costUsdPerHour: cost } : {}),
      ...(costNote ? { costNote } : {}),
      priceRegion,
      prices,
      arithmetic: capacity?.arithmetic ?? [],
    };
  });

  const failovers = Object.entries(plan.multiRegionFailovers).map(([name, failover]): FailoverReport => {
    const { spec } = failover;
    return {
      name,
      routing: spec.routing,
      regions: spec.regions.map((region) => region.region),
      worstCaseFailoverSeconds: failover.worstCaseFailoverSeconds,
      failoverArithmetic: failoverBudget({
        intervalSeconds: spec.healthCheck.intervalSeconds,
        failureThreshold: spec.healthCheck.failureThreshold,
        ttlSeconds: spec.ttlSeconds,
      }).arithmetic,
      ...(failover.nPlusOne ? { nPlusOne: failover.nPlusOne } : {}),
    };
  });
  return { endpoints, failovers };
}
