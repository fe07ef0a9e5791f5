/**
 * The pods every construct on one GPU node pool may ask for at once, summed against what the pool holds at its
 * `nodes.max` (#15 item 7): two endpoints that each fit alone can still leave pods Pending together. Each
 * front-end (and `onnxfleet render`) records a claim per ModelService and AutoscaledEndpoint on the pool's
 * binding; planners record nothing, so planning the same props twice claims nothing twice.
 */
import { ERROR_CODES, type Problem, ValidationError } from "../errors";
import type { AutoscaledEndpointPlan } from "../plan/autoscaled-endpoint";
import type { ModelServicePlan } from "../plan/model-service";
import type { NodePoolBinding } from "../plan/types";
import { poolCeiling } from "../specs/pool-fit";
import { show } from "../validate";
import { fitOnPool } from "./nodes";

/** The most pods of one ModelService on its pool, and who asks for them. */
export interface PoolGpuClaim {
  readonly construct: "ModelService" | "AutoscaledEndpoint";
  readonly name: string;
  /** The prop that sets the count (`replicas`, `replicas.max`). */
  readonly path: string;
  /** The ModelService whose pods these are: an endpoint's claim replaces its service's. */
  readonly service: string;
  /** Pods per model version. */
  readonly perVersion: number;
  readonly versions: number;
  readonly gpusPerPod: number;
}

/** Claims on each pool, by the pool's binding (the object every construct on it holds). */
const LEDGERS = new WeakMap<NodePoolBinding, Map<string, PoolGpuClaim>>();

/** The claim `asker` makes for `service`'s pods; undefined for CPU pods or a pool without a known ceiling. */
function claimOf(
  service: ModelServicePlan,
  asker: Pick<PoolGpuClaim, "construct" | "name" | "path" | "perVersion">,
): PoolGpuClaim | undefined {
  if (!poolCeiling(service.spec.binding) || service.spec.resources.gpu < 1) return undefined;
  return {
    ...asker,
    service: service.name,
    versions: service.versions.length,
    gpusPerPod: service.spec.resources.gpu,
  };
}

/**
 * A ModelService's claim: its fixed `replicas`, or one pod per version (a Deployment without `spec.replicas`)
 * until an endpoint claims its `replicas.max`.
 */
export function serviceGpuClaim(service: ModelServicePlan): PoolGpuClaim | undefined {
  const perVersion = service.spec.replicas ?? 1;
  return claimOf(service, { construct: "ModelService", name: service.name, path: "replicas", perVersion });
}

/** An endpoint's claim: `replicas.max` pods per version of its service. */
export function endpointGpuClaim(
  endpoint: AutoscaledEndpointPlan,
  service: ModelServicePlan,
): PoolGpuClaim | undefined {
  const perVersion = endpoint.spec.replicas.max;
  return claimOf(service, {
    construct: "AutoscaledEndpoint",
    name: endpoint.name,
    path: "replicas.max",
    perVersion,
  });
}

/** Pods the claims ask for, all versions counted. */
function podsOf(claims: readonly PoolGpuClaim[]): number {
  return claims.reduce((sum, c) => sum + c.perVersion * c.versions, 0);
}

/** GPUs the claims ask for. */
function gpusOf(claims: readonly PoolGpuClaim[]): number {
  return claims.reduce((sum, c) => sum + c.perVersion * c.versions * c.gpusPerPod, 0);
}

function describe(claim: PoolGpuClaim): string {
  return `${claim.construct} ${show(claim.name)} (${claim.perVersion * claim.versions} pod(s) of ${claim.gpusPerPod} GPU(s))`;
}

/**
 * The problem (code `ONNXFLEET_POOL_GPUS_EXCEEDED`) when `claim` with the pool's other claims asks for more
 * than the pool holds at `nodes.max`: the pods of one size packed per node ({@link fitOnPool}), or, for pods
 * of several sizes, their GPUs against the pool's. Undefined when they fit.
 */
export function poolClaimsProblem(
  binding: NodePoolBinding,
  others: readonly PoolGpuClaim[],
  claim: PoolGpuClaim,
): Problem | undefined {
  const pool = poolCeiling(binding);
  if (!pool || others.length === 0) return undefined;
  const all = [...others, claim];
  const pods = podsOf(all);
  const gpus = gpusOf(all);
  const sizes = new Set(all.map((c) => c.gpusPerPod));
  const uniform = sizes.size === 1 ? fitOnPool(pods, claim.gpusPerPod, pool) : undefined;
  const fits = uniform ? uniform.fits : gpus <= pool.maxNodes * pool.gpusPerNode;
  if (fits) return undefined;
  const othersPods = podsOf(others);
  const othersGpus = gpusOf(others);
  const poolSide = uniform
    ? `it holds only ${uniform.poolArithmetic}`
    : `it holds only nodes.max (${pool.maxNodes}) x ${pool.gpusPerNode} GPU(s) per node = ${pool.maxNodes * pool.gpusPerNode} GPUs`;
  const room = uniform
    ? Math.max(0, uniform.podsOnPool - othersPods)
    : Math.max(0, Math.floor((pool.maxNodes * pool.gpusPerNode - othersGpus) / claim.gpusPerPod));
  const most = Math.floor(room / claim.versions);
  const nodes = uniform ? uniform.nodes : Math.ceil(gpus / pool.gpusPerNode);
  return {
    path: claim.path,
    reason:
      `(${claim.perVersion}) x ${claim.versions} model version(s) x resources.gpu (${claim.gpusPerPod}) of ` +
      `ModelService ${show(claim.service)} shares node pool ${show(pool.name)} with ` +
      `${others.map(describe).join(", ")}: together ${pods} pod(s), ${gpus} GPUs, which need ${nodes} node(s); ` +
      `${poolSide}, so the pods beyond stay Pending; ` +
      (most >= 1
        ? `lower ${claim.path} to ${most}, lower the others', or `
        : "lower the others' replicas or ") +
      `raise the pool's nodes.max to ${nodes}`,
    code: ERROR_CODES.POOL_GPUS_EXCEEDED,
  };
}

/**
 * Records `claim` on the pool of `binding`, replacing an earlier claim for the same ModelService.
 * @throws ValidationError naming the claiming construct (its problem coded `ONNXFLEET_POOL_GPUS_EXCEEDED`) when
 * the pool's claims together exceed it; the claim is then not recorded.
 */
export function claimPoolGpus(binding: NodePoolBinding | undefined, claim: PoolGpuClaim | undefined): void {
  if (!binding || !claim) return;
  const ledger = LEDGERS.get(binding) ?? new Map<string, PoolGpuClaim>();
  const others = [...ledger.values()].filter((c) => c.service !== claim.service);
  const problem = poolClaimsProblem(binding, others, claim);
  if (problem) throw new ValidationError(claim.construct, claim.name, [problem]);
  ledger.set(claim.service, claim);
  LEDGERS.set(binding, ledger);
}

/**
 * Records a ModelService's pods on its pool (see {@link serviceGpuClaim}); front-ends call it once per service.
 * @throws ValidationError as {@link claimPoolGpus}.
 */
export function claimServicePoolGpus(service: ModelServicePlan): void {
  claimPoolGpus(service.spec.binding, serviceGpuClaim(service));
}

/**
 * Records an endpoint's `replicas.max` pods on its service's pool, in place of the service's own claim.
 * @throws ValidationError as {@link claimPoolGpus}.
 */
export function claimEndpointPoolGpus(endpoint: AutoscaledEndpointPlan, service: ModelServicePlan): void {
  claimPoolGpus(service.spec.binding, endpointGpuClaim(endpoint, service));
}
