import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";

/**
 * The Terraform providers an onnxfleet construct sets on every child it creates: `aws` on its cloud
 * resources, `kubernetes` on its `kubernetes_manifest`s. Pass one pair per region (provider `alias`es);
 * Route53 is global, so a MultiRegionFailover takes any `aws` provider.
 */
export interface CdktfProviders {
  /**
   * Provider of the construct's AWS resources.
   * @default - the stack's default `aws` provider
   */
  readonly aws?: AwsProvider;
  /**
   * Provider of the construct's Kubernetes objects (the cluster they go to).
   * @default - the stack's default `kubernetes` provider
   */
  readonly kubernetes?: KubernetesProvider;
}

/** What every CDKTF construct takes beside the core's props. */
export interface CdktfConstructProps {
  /**
   * Providers set on every child resource.
   * @default - the stack's default providers
   */
  readonly providers?: CdktfProviders;
}
