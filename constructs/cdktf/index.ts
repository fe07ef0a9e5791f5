/**
 * onnxfleet for CDK for Terraform: four Constructs, each a thin mapping of the core's plan onto
 * `@cdktf/provider-aws` resources and `kubernetes_manifest`s (`@cdktf/provider-kubernetes`).
 *
 * ```ts
 * import { GpuNodePool, ModelService, AutoscaledEndpoint, MultiRegionFailover } from "onnxfleet/cdktf";
 * ```
 */
export { AutoscaledEndpoint, type AutoscaledEndpointProps } from "./autoscaled-endpoint";
export { GpuNodePool, type GpuNodePoolProps } from "./gpu-node-pool";
export { ModelService, type ModelServiceProps } from "./model-service";
export {
  MultiRegionFailover,
  type MultiRegionFailoverProps,
  type MultiRegionFailoverRegionProps,
} from "./multi-region-failover";
export type { CdktfConstructProps, CdktfProviders } from "./providers";
export type { CdktfTokens } from "./tokens";
