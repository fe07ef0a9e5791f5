/**
 * What every GPU node of a pool has, whichever way it is created: the GPU resource, the taint, the labels
 * and the volume that holds container images.
 */
import { NODE_POOL_LABEL } from "../naming-gpu-pool-failover";
import type { GpuNodePoolSpec } from "../specs/resolve-gpu-node-pool";

/** Extended resource name of NVIDIA GPUs. */
export const NVIDIA_GPU_RESOURCE = "nvidia.com/gpu";

/** The taint on every GPU node, so only pods tolerating it (GPU workloads) land there. */
export const GPU_TAINT = { key: NVIDIA_GPU_RESOURCE, value: "true", effect: "NoSchedule" } as const;

/** Node labels of the pool: the user's plus the pool label `onnxfleet.dev/node-pool: <name>`. */
export function nodeLabels(spec: GpuNodePoolSpec): Record<string, string> {
  return { ...spec.labels, [NODE_POOL_LABEL]: spec.name };
}

/**
 * The device that holds images and containers: the root volume on AL2023, the data volume on Bottlerocket
 * (whose root volume is a small OS image).
 */
export function containerVolumeDevice(spec: GpuNodePoolSpec): "/dev/xvda" | "/dev/xvdb" {
  return spec.amiType === "BOTTLEROCKET_x86_64_NVIDIA" ? "/dev/xvdb" : "/dev/xvda";
}
