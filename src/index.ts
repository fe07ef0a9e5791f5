export const VERSION = "0.1.0";

// --- GpuNodePool, MultiRegionFailover, catalog, capacity, render (core-pool) -------------------------------
export * from "./capacity/failover";
export * from "./capacity/gpu-pool";
export * from "./catalog/aws-regions";
export * from "./catalog/gpu-instance-types";
export * from "./errors";
export * from "./lazy";
export * from "./naming-cloud";
export * from "./plan/autoscaled-endpoint";
export * from "./plan/gpu-node";
export * from "./plan/gpu-node-pool";
export * from "./plan/karpenter-node-pool";
export * from "./plan/model-service";
export * from "./plan/multi-region-failover";
export * from "./plan/nvidia-device-plugin";
export * from "./plan/types";
export * from "./specs/autoscaled-endpoint";
export * from "./specs/common";
export * from "./specs/gpu-node-pool";
export * from "./specs/model-service";
export * from "./specs/multi-region-failover";
export * from "./validate";
