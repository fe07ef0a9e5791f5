/**
 * onnxfleet for Pulumi: four ComponentResources, each a thin mapping of the core's plan onto
 * `@pulumi/kubernetes` and `@pulumi/aws` resources.
 *
 * ```ts
 * import { GpuNodePool, ModelService, AutoscaledEndpoint, MultiRegionFailover } from "onnxfleet/pulumi";
 * ```
 */
export { AutoscaledEndpoint, type AutoscaledEndpointArgs } from "./autoscaled-endpoint";
export { GpuNodePool, type GpuNodePoolArgs } from "./gpu-node-pool";
export type { PulumiInputs } from "./inputs";
export { ModelService, type ModelServiceArgs } from "./model-service";
export {
  MultiRegionFailover,
  type MultiRegionFailoverArgs,
  type MultiRegionFailoverRegionArgs,
} from "./multi-region-failover";
