import * as pulumi from "@pulumi/pulumi";
import { type GpuNodePoolPlan, planGpuNodePool } from "../../src/plan/gpu-node-pool";
import type { NodePoolBinding } from "../../src/plan/types";
import type { GpuNodePoolProps } from "../../src/specs/gpu-node-pool";
import { createCloudResources, createKubernetesObjects } from "./create-planned";
import { planOrThrowInputErrors } from "./input-errors";
import { asInput, type PulumiInputs } from "./inputs";

/**
 * Arguments of a {@link GpuNodePool}: the core's `GpuNodePoolProps`, where `clusterName`, `subnetIds`,
 * `nodeRoleArn` and `karpenter.nodeRoleName` take a `pulumi.Input`, e.g. `cluster.name` (not `cluster`).
 */
export interface GpuNodePoolArgs extends PulumiInputs<GpuNodePoolProps> {}

/**
 * A pool of GPU nodes in an EKS cluster: an EKS managed node group (IAM role with the node policies unless
 * `nodeRoleArn` names yours, launch template with IMDSv2 and the planned disk) or, in `karpenter` mode, a
 * Karpenter NodePool and EC2NodeClass; plus the NVIDIA device plugin where the AMI lacks it. A {@link ModelService} given this pool as `nodePool`
 * takes its node selector and tolerations from {@link GpuNodePool.binding}.
 *
 * Pass an `aws.Provider` and a `k8s.Provider` for the cluster's region in `opts.providers`.
 */
export class GpuNodePool extends pulumi.ComponentResource {
  /** What the core planned (validated spec with defaults, resources, binding, capacity). */
  readonly plan: GpuNodePoolPlan;
  /** Node selector, tolerations and GPU sizes that workloads on this pool use. */
  readonly binding: NodePoolBinding;
  /** The EKS cluster the pool belongs to (as given). */
  readonly clusterName: pulumi.Input<string>;
  /** Name of the EKS node group; undefined in `karpenter` mode. */
  readonly nodeGroupName: pulumi.Output<string> | undefined;
  /**
   * ARN of the nodes' IAM role: the created role, or `nodeRoleArn` as given; undefined in `karpenter` mode
   * (Karpenter's node role is yours).
   */
  readonly nodeRoleArn: pulumi.Output<string> | undefined;

  /**
   * @param name the pool's name: a DNS-1123 label of at most 36 characters, prefix of every child's name.
   * @throws pulumi.InputPropertiesError listing every invalid prop with its path (its `cause` is the core's
   * ValidationError, code `ONNXFLEET_INVALID_PROPS`).
   */
  constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planOrThrowInputErrors(() => planGpuNodePool(name, args));
    super("onnxfleet:index:GpuNodePool", name, {}, opts);
    this.plan = plan;
    this.binding = plan.binding;
    this.clusterName = asInput(plan.spec.clusterName);

    const cloud = createCloudResources(this, plan.cloudResources);
    createKubernetesObjects(this, plan.kubernetesObjects);
    const byType = (type: string) => plan.cloudResources.find((r) => r.type === type)?.logicalName ?? "";
    const nodeGroup = cloud.get(byType("aws:eks:NodeGroup")) as
      | { nodeGroupName?: pulumi.Output<string> }
      | undefined;
    const nodeRole = cloud.get(byType("aws:iam:Role")) as { arn?: pulumi.Output<string> } | undefined;
    this.nodeGroupName = nodeGroup?.nodeGroupName;
    const givenRoleArn = plan.spec.nodeRoleArn;
    this.nodeRoleArn = givenRoleArn !== undefined ? pulumi.output(asInput(givenRoleArn)) : nodeRole?.arn;

    this.registerOutputs({
      binding: plan.binding,
      nodeGroupName: this.nodeGroupName,
      nodeRoleArn: this.nodeRoleArn,
    });
  }
}
