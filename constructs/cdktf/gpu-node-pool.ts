import type { TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { type GpuNodePoolPlan, planGpuNodePool } from "../../src/plan/gpu-node-pool";
import type { NodePoolBinding } from "../../src/plan/types";
import type { GpuNodePoolProps as CoreGpuNodePoolProps } from "../../src/specs/gpu-node-pool";
import { createCloudResources, createManifests } from "./create-planned";
import type { CdktfConstructProps, CdktfProviders } from "./providers";
import { asToken, type CdktfTokens } from "./tokens";

/**
 * Props of a {@link GpuNodePool}: the core's `GpuNodePoolProps` (`clusterName`, `subnetIds`, `nodeRoleArn` and
 * `karpenter.nodeRoleName` take CDKTF tokens, e.g. `cluster.name`), plus the providers set on every child.
 */
export interface GpuNodePoolProps extends CdktfTokens<CoreGpuNodePoolProps>, CdktfConstructProps {}

/**
 * A pool of GPU nodes in an EKS cluster: an EKS managed node group (IAM role with the node policies unless
 * `nodeRoleArn` names yours, launch template with IMDSv2 and the planned disk) or, in `karpenter` mode, a
 * Karpenter NodePool and EC2NodeClass; plus the NVIDIA device plugin where the AMI lacks it. A
 * {@link ModelService} given this pool as `nodePool` takes its node selector and tolerations from
 * {@link GpuNodePool.binding}, and its pods wait for the pool.
 *
 * Pass the region's `AwsProvider` and the cluster's `KubernetesProvider` in `providers`.
 */
export class GpuNodePool extends Construct {
  /** What the core planned (validated spec with defaults, resources, binding, capacity). */
  readonly plan: GpuNodePoolPlan;
  /** Node selector, tolerations and GPU sizes that workloads on this pool use. */
  readonly binding: NodePoolBinding;
  /** The EKS cluster the pool belongs to (as given). */
  readonly clusterName: string;
  /** Name of the EKS node group (a token); undefined in `karpenter` mode. */
  readonly nodeGroupName: string | undefined;
  /**
   * ARN of the nodes' IAM role: the created role (a token), or `nodeRoleArn` as given; undefined in
   * `karpenter` mode (Karpenter's node role is yours).
   */
  readonly nodeRoleArn: string | undefined;
  /** The providers the pool's children use (as given); a {@link ModelService} on the pool inherits them. */
  readonly providers: CdktfProviders;

  /**
   * @param id the pool's name: a DNS-1123 label of at most 36 characters, prefix of every child's name.
   * @throws ValidationError (code `ONNXFLEET_INVALID_PROPS`) listing every invalid prop, before any child exists.
   */
  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    const { providers, ...coreProps } = props ?? ({} as GpuNodePoolProps);
    const plan = planGpuNodePool(id, coreProps);
    super(scope, id);
    this.plan = plan;
    this.binding = plan.binding;
    this.clusterName = asToken(plan.spec.clusterName);
    this.providers = { ...providers };

    const cloud = createCloudResources(this, plan.cloudResources, providers);
    createManifests(
      this,
      plan.kubernetesObjects,
      providers?.kubernetes ? { kubernetes: providers.kubernetes } : {},
    );
    const byType = (type: string): TerraformResource | undefined => {
      const planned = plan.cloudResources.find((r) => r.type === type);
      return planned ? cloud.get(planned.logicalName) : undefined;
    };
    const nodeGroup = byType("aws:eks:NodeGroup") as { nodeGroupName?: string } | undefined;
    const nodeRole = byType("aws:iam:Role") as { arn?: string } | undefined;
    this.nodeGroupName = nodeGroup?.nodeGroupName;
    this.nodeRoleArn = plan.spec.nodeRoleArn !== undefined ? asToken(plan.spec.nodeRoleArn) : nodeRole?.arn;
  }
}
