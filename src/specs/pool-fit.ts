/**
 * Refuses pods that their GPU node pool cannot hold at its `nodes.max` (#15 item 7): an HPA (or a fixed replica
 * count) would ask for pods that stay Pending, since nothing may add nodes beyond `nodes.max`. The arithmetic
 * is {@link fitOnPool}'s, the same that checks replicas derived from a capacity profile.
 */
import { fitOnPool, type PoolCeiling } from "../capacity/nodes";
import { ERROR_CODES } from "../errors";
import type { NodePoolBinding } from "../plan/types";
import { show, type Validator } from "../validate";

/** The pool of `binding` as {@link fitOnPool} reads it; undefined when its ceiling is unknown or it has no GPUs. */
export function poolCeiling(binding: NodePoolBinding | undefined): PoolCeiling | undefined {
  if (!binding || binding.maxNodes === undefined || binding.gpusPerNode <= 0) return undefined;
  return {
    name: binding.poolName,
    gpusPerNode: binding.gpusPerNode,
    maxNodes: binding.maxNodes,
    ...(binding.instanceTypes ? { instanceTypes: binding.instanceTypes } : {}),
  };
}

/** What asks for the pods: the prop and its value, per model version. */
export interface PodDemand {
  /** The prop path, e.g. `replicas.max`. */
  readonly path: string;
  /** Its value: pods per model version. */
  readonly perVersion: number;
  /** Model versions, each its own Deployment with that many pods. */
  readonly versions: number;
  /** GPUs per pod (`resources.gpu` of the service). */
  readonly gpusPerPod: number;
  /** The ModelService, for the message. */
  readonly serviceName: string;
}

/**
 * Records a problem (code `ONNXFLEET_POOL_GPUS_EXCEEDED`) at `demand.path` when the pods do not fit on the
 * pool of `binding` at its `nodes.max`. Returns whether they fit (true when nothing is known to check).
 */
export function checkPodsFitPool(
  check: Validator,
  demand: PodDemand,
  binding: NodePoolBinding | undefined,
): boolean {
  const pool = poolCeiling(binding);
  const { perVersion, versions, gpusPerPod } = demand;
  if (!pool || gpusPerPod < 1 || gpusPerPod > pool.gpusPerNode) return true;
  const fit = fitOnPool(perVersion * versions, gpusPerPod, pool);
  if (fit.fits) return true;
  const most = Math.floor(fit.podsOnPool / versions);
  const lower = most >= 1 ? `lower ${demand.path} to ${most} or ` : "";
  check.add(
    demand.path,
    `(${perVersion}) x ${versions} model version(s) x resources.gpu (${gpusPerPod}) of ModelService ` +
      `${show(demand.serviceName)} = ${fit.gpus} GPUs in ${perVersion * versions} pod(s), which need ` +
      `${fit.nodes} node(s) of node pool ${show(pool.name)}; it holds only ${fit.poolArithmetic}, so the ` +
      `pods beyond stay Pending; ${lower}raise the pool's nodes.max to ${fit.nodes}`,
    ERROR_CODES.POOL_GPUS_EXCEEDED,
  );
  return false;
}
