/**
 * GPU capacity of a node pool, from the instance catalog: what one node surely offers (the smallest of the
 * pool's instance types) and what the whole pool may hold at most.
 */
import { findGpuInstanceType, type GpuInstanceType } from "../catalog/gpu-instance-types";

/** GPU capacity of a pool of `instanceTypes` with at most `maxNodes` nodes. */
export interface GpuPoolCapacity {
  /** GPUs that every node offers: the least among the instance types. */
  readonly gpusPerNode: number;
  /** Memory of one GPU, in GiB, that every node offers: the least among the instance types. */
  readonly gpuMemoryGiB: number;
  /** Most GPUs one node may have: the largest count among the instance types. */
  readonly maxGpusPerNode: number;
  /** Most GPUs of the pool: `maxNodes x maxGpusPerNode`. */
  readonly maxGpus: number;
}

/**
 * Capacity of a pool. Every instance type must be catalogued (validation guarantees it).
 * @throws Error for an instance type missing from the catalog.
 */
export function gpuPoolCapacity(instanceTypes: readonly string[], maxNodes: number): GpuPoolCapacity {
  const types: GpuInstanceType[] = instanceTypes.map((name) => {
    const type = findGpuInstanceType(name);
    if (!type) throw new Error(`${name} is not in the GPU instance catalog`);
    return type;
  });
  if (types.length === 0) throw new Error("a GPU pool needs at least one instance type");
  const maxGpusPerNode = Math.max(...types.map((type) => type.gpuCount));
  return {
    gpusPerNode: Math.min(...types.map((type) => type.gpuCount)),
    gpuMemoryGiB: Math.min(...types.map((type) => type.gpuMemoryGiB)),
    maxGpusPerNode,
    maxGpus: maxNodes * maxGpusPerNode,
  };
}
