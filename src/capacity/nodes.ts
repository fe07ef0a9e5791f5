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
