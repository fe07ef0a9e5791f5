/**
 * GPU nodes for a replica count: a node holds `floor(gpusPerNode / gpusPerReplica)` replicas (a GPU is not
 * shared between pods; Kubernetes extended resources are whole units,
 * https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/), so `replicas` need
 * `ceil(replicas / podsPerNode)` nodes.
 */

/** GPU figures of a replica count on a pool. */
export interface NodeCount {
  /** Replicas one node holds. */
  readonly replicasPerNode: number;
  /** Nodes for the replicas. */
  readonly nodes: number;
  /** GPUs the replicas ask for: `replicas x gpusPerReplica`. */
  readonly gpus: number;
}

/**
 * Nodes of `gpusPerNode` GPUs that hold `replicas` pods of `gpusPerReplica` GPUs each.
 * @throws Error when a node cannot hold one replica (the ModelService's validation refuses that first).
 */
export function nodesForReplicas(replicas: number, gpusPerReplica: number, gpusPerNode: number): NodeCount {
  if (!(gpusPerReplica >= 1) || gpusPerReplica > gpusPerNode)
    throw new Error(`a node of ${gpusPerNode} GPU(s) cannot hold a replica of ${gpusPerReplica} GPU(s)`);
  const replicasPerNode = Math.floor(gpusPerNode / gpusPerReplica);
  return { replicasPerNode, nodes: Math.ceil(replicas / replicasPerNode), gpus: replicas * gpusPerReplica };
}

/** The most replicas a pool of `maxNodes` nodes holds. */
export function replicasOnNodes(maxNodes: number, gpusPerReplica: number, gpusPerNode: number): number {
  return maxNodes * Math.floor(gpusPerNode / gpusPerReplica);
}

/** What {@link fitOnPool} needs of a node pool. */
export interface PoolCeiling {
  /** The pool's construct name. */
  readonly name: string;
  /** GPUs that every node offers (the smallest of the pool's instance types, from the catalog). */
  readonly gpusPerNode: number;
  /** The pool's `nodes.max`. */
  readonly maxNodes: number;
  /** The pool's instance types, for the message. */
  readonly instanceTypes?: readonly string[];
}

/** Whether `pods` pods fit on a pool at its `nodes.max`, and the figures that say so. */
export interface PoolFit extends NodeCount {
  /** Pods of `gpusPerPod` GPUs the pool holds at `nodes.max`. */
  readonly podsOnPool: number;
  /** GPUs of the pool at `nodes.max`: `maxNodes x gpusPerNode`. */
  readonly poolGpus: number;
  readonly fits: boolean;
  /** The pool's side of the arithmetic, e.g. `nodes.max (8) x 1 GPU(s) per node (g5.xlarge) = 8 GPUs, 8 pod(s) of 1 GPU(s)`. */
  readonly poolArithmetic: string;
}

/**
 * The one check of pods against a pool's ceiling (an endpoint's `replicas.max`, a service's fixed replicas,
 * replicas derived from a profile, the sum over a pool's services): `pods` pods of `gpusPerPod` GPUs need
 * `ceil(pods / floor(gpusPerNode / gpusPerPod))` nodes, at most `maxNodes`.
 * @throws Error when a node cannot hold one pod (the ModelService's validation refuses that first).
 */
export function fitOnPool(pods: number, gpusPerPod: number, pool: PoolCeiling): PoolFit {
  const count = nodesForReplicas(pods, gpusPerPod, pool.gpusPerNode);
  const podsOnPool = replicasOnNodes(pool.maxNodes, gpusPerPod, pool.gpusPerNode);
  const poolGpus = pool.maxNodes * pool.gpusPerNode;
  const types = pool.instanceTypes?.length ? ` (${pool.instanceTypes.join(", ")})` : "";
  return {
    ...count,
    podsOnPool,
    poolGpus,
    fits: count.nodes <= pool.maxNodes,
    poolArithmetic:
      `nodes.max (${pool.maxNodes}) x ${pool.gpusPerNode} GPU(s) per node${types} = ${poolGpus} GPUs, ` +
      `${podsOnPool} pod(s) of ${gpusPerPod} GPU(s)`,
  };
}
