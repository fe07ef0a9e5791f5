// Public API of GpuNodePool, MultiRegionFailover, the GPU catalog, the capacity math and `onnxfleet render`,
// re-exported by src/index.ts in one line (kept apart so the two halves of the core merge cleanly).
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
export * from "./render";
export * from "./specs/gpu-node-pool";
export * from "./specs/multi-region-failover";
