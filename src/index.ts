export * from "./errors";
// GpuNodePool, MultiRegionFailover, GPU catalog, capacity math, render (branch core-pool)
export * from "./index-pool";
export * from "./labels";
export * from "./lazy";
export * from "./naming";
export * from "./plan/autoscaled-endpoint";
export { type ServerModelConfig, serverModelConfig } from "./plan/model-config";
export * from "./plan/model-pod-identity";
export * from "./plan/model-service";
export { prometheusAdapterRule, prometheusAdapterRuleYaml } from "./plan/prometheus-adapter";
export {
  HTTP_PORT,
  INFLIGHT_REQUESTS_METRIC,
  LIVE_PATH,
  METRICS_PORT,
  READY_PATH,
} from "./plan/server-contract";
export * from "./plan/types";
export * from "./specs/autoscaled-endpoint";
export * from "./specs/common";
export * from "./specs/model-service";
export {
  AUTOSCALED_ENDPOINT,
  type AutoscaledEndpointSpec,
  resolveAutoscaledEndpointSpec,
} from "./specs/resolve-autoscaled-endpoint";
export {
  defaultServerImage,
  MODEL_SERVICE,
  type ModelServiceSpec,
  type ModelVersionSpec,
  resolveModelServiceSpec,
} from "./specs/resolve-model-service";
export * from "./validate";
export { VERSION } from "./version";
