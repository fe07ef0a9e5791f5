export const VERSION = "0.1.0";

// --- GpuNodePool, MultiRegionFailover, catalog, capacity (core-pool) ---------------------------------------
export * from "./capacity/failover";
export * from "./capacity/gpu-pool";
export * from "./catalog/aws-regions";
export * from "./catalog/gpu-instance-types";
export * from "./naming-cloud";
export * from "./plan/gpu-node";
export * from "./plan/gpu-node-pool";
export * from "./plan/karpenter-node-pool";
export * from "./plan/multi-region-failover";
export * from "./plan/nvidia-device-plugin";
export * from "./plan/types";
export * from "./specs/gpu-node-pool";
export * from "./specs/multi-region-failover";
