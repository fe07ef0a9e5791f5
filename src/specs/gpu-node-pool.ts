/**
 * Props of a GpuNodePool: a managed node group or Karpenter NodePool of GPU nodes in an EKS cluster, with
 * their value lists and defaults. Validation: `resolve-gpu-node-pool.ts`.
 */
import type { Lazy } from "../lazy";
import type { DcgmExporterProps } from "./dcgm-exporter";

export const GPU_NODE_POOL_MODES = ["managed", "karpenter"] as const;
export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export const GPU_AMI_TYPES = ["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"] as const;

/** How the pool's nodes are created. */
export type GpuNodePoolMode = (typeof GPU_NODE_POOL_MODES)[number];
/** EC2 purchasing option of the pool's nodes. */
export type CapacityType = (typeof CAPACITY_TYPES)[number];
/** EKS AMI types with the NVIDIA driver. */
export type GpuAmiType = (typeof GPU_AMI_TYPES)[number];
/** IMDSv2 response hop limits: 1 keeps pods away from the node's credentials; 2 lets pods reach IMDS. */
export const IMDS_HOP_LIMITS = [1, 2] as const;
/** IMDSv2 response hop limit: 1 keeps pods away from the node's credentials; 2 lets pods reach IMDS. */
export type ImdsHopLimit = (typeof IMDS_HOP_LIMITS)[number];

/** Smallest and largest root (AL2023) or data (Bottlerocket) volume, in GiB. */
export const DISK_SIZE_GIB_MIN = 20;
export const DISK_SIZE_GIB_MAX = 16_384;

/** Node counts of a pool. */
export interface GpuNodeCountProps {
  /**
   * Fewest nodes. In `karpenter` mode it must be 0: Karpenter launches nodes for pending pods and keeps no
   * minimum.
   */
  readonly min: number;
  /** Most nodes; at least `min` and at least 1. In `karpenter` mode it bounds the pool's GPUs (see docs/constructs.md). */
  readonly max: number;
  /**
   * Nodes at creation (`managed` mode only); the cluster autoscaler owns the count afterwards: later changes
   * are ignored unless `applyDesired` is set.
   * @default - `min`
   */
  readonly desired?: number;
  /**
   * Send `desired` to EKS on this apply (`managed` mode only), with `min` and `max`, instead of leaving the
   * count to the cluster autoscaler. EKS refuses new bounds that exclude the node group's current desired size
   * (raising `min` above it, lowering `max` below it); set `desired` to the current size clamped into the new
   * bounds and `applyDesired: true` for the apply that changes them, then remove `applyDesired` (see
   * docs/operations.md, "Changing a node pool's bounds").
   * @default false
   */
  readonly applyDesired?: boolean;
}

/** Options of `karpenter` mode. */
export interface GpuNodePoolKarpenterProps {
  /**
   * Name of the IAM role Karpenter gives the nodes it launches (the node role created with Karpenter's
   * installation, already allowed to join the cluster).
   */
  readonly nodeRoleName: Lazy<string>;
  /**
   * AMI version in Karpenter's alias form (`al2023@<version>`, `bottlerocket@<version>`), e.g. `v20260714` for
   * AL2023 or `v1.64.0` for Bottlerocket. A pinned version means nodes only change when you change it: Karpenter
   * then replaces them as drifted, at most `disruptionBudgetNodes` at a time. `latest` rolls every GPU node
   * (and evicts every model pod) whenever AWS publishes an AMI; Karpenter advises against it in production
   * (https://karpenter.sh/docs/tasks/managing-amis/). Upgrade path: docs/operations.md, "GPU node AMI upgrades".
   * @default - the version pinned for the `amiType` in `PINNED_KARPENTER_AMI_VERSIONS`
   */
  readonly amiVersion?: string;
  /**
   * Most GPU nodes Karpenter may disrupt at once (drift, consolidation, emptiness), a count (`"1"`) or a
   * percentage of the pool's nodes (`"10%"`): the NodePool's `spec.disruption.budgets`. Keep it at or below
   * what the model services' PodDisruptionBudgets can absorb.
   * https://karpenter.sh/docs/concepts/disruption/#nodepool-disruption-budgets
   * @default "1"
   */
  readonly disruptionBudgetNodes?: string;
  /**
   * How long an empty or underutilized node waits before Karpenter consolidates it, in seconds.
   * @default 300
   */
  readonly consolidateAfterSeconds?: number;
}

/** Props of a GpuNodePool: EKS nodes with NVIDIA GPUs, tainted so only GPU workloads land on them. */
export interface GpuNodePoolProps {
  /** Name of the EKS cluster. */
  readonly clusterName: Lazy<string>;
  /**
   * Subnets of the nodes (private subnets, one per zone for zone-spread workloads). Elements may be
   * unresolved; in `karpenter` mode the list itself must be a list.
   * @default - required in `managed` mode; in `karpenter` mode, subnets tagged
   * `karpenter.sh/discovery: <clusterName>`
   */
  readonly subnetIds?: Lazy<readonly Lazy<string>[]>;
  /**
   * EC2 instance types with NVIDIA GPUs, from the catalog (`GPU_INSTANCE_TYPES`), e.g. `["g5.xlarge"]`.
   * Several types widen the capacity pools (useful with `SPOT`); the binding offers the smallest GPU count
   * and GPU memory among them.
   */
  readonly instanceTypes: readonly string[];
  /** Node counts. */
  readonly nodes: GpuNodeCountProps;
  /**
   * Purchasing option.
   * @default "ON_DEMAND"
   */
  readonly capacityType?: CapacityType;
  /**
   * AMI type. AL2023 needs the NVIDIA device plugin, which the pool plans as a DaemonSet; Bottlerocket ships
   * it on the node.
   * @default "AL2023_x86_64_NVIDIA"
   */
  readonly amiType?: GpuAmiType;
  /**
   * Size of the volume that holds images and containers (the root volume on AL2023, the data volume on
   * Bottlerocket), in GiB: from 20 to 16384. Inference images with CUDA are large.
   * @default 100
   */
  readonly diskSizeGiB?: number;
  /**
   * Extra Kubernetes labels of the nodes. Keys in the `kubernetes.io`, `k8s.io`, `karpenter.sh` and
   * `onnxfleet.dev` namespaces are reserved.
   * @default - only the pool label `onnxfleet.dev/node-pool: <name>`
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How nodes are created: an EKS managed node group, or a Karpenter NodePool and EC2NodeClass.
   * @default "managed"
   */
  readonly mode?: GpuNodePoolMode;
  /**
   * ARN of an existing IAM role for the nodes (`managed` mode only), e.g. one shared by all node groups of
   * the cluster and already mapped in its access entries. The pool then creates no role and attaches no
   * policy: the role must carry the node policies itself. In `karpenter` mode give the role's name in
   * `karpenter.nodeRoleName` instead (an EC2NodeClass takes a role name).
   * @default - a role with AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryReadOnly and
   * AmazonEKS_CNI_Policy is created
   */
  readonly nodeRoleArn?: Lazy<string>;
  /**
   * Options of `karpenter` mode (required there, refused in `managed` mode).
   * @default - none
   */
  readonly karpenter?: GpuNodePoolKarpenterProps;
  /**
   * IMDSv2 response hop limit of the nodes (IMDSv2 is always required). 1 keeps pods from reaching the
   * node role's credentials; choose 2 only for pods that must call IMDS without IRSA or Pod Identity.
   * @default 1
   */
  readonly imdsHopLimit?: ImdsHopLimit;
  /**
   * Image of the NVIDIA device plugin DaemonSet (planned on AL2023 only). Prefer a digest.
   * @default "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
   */
  readonly devicePluginImage?: string;
  /**
   * NVIDIA's DCGM exporter on the pool's nodes (GPU utilisation and memory per pod for the dashboards and the
   * GPU-saturation alert): a DaemonSet, a Service, a ServiceMonitor and a NetworkPolicy.
   * @default { enabled: false }
   */
  readonly dcgmExporter?: DcgmExporterProps;
}

/**
 * Karpenter AMI alias versions a pool uses unless `karpenter.amiVersion` is set; they move only with an
 * onnxfleet release, never on their own. Karpenter takes them as `amiSelectorTerms: [{ alias:
 * "al2023@vYYYYMMDD" }]` / `bottlerocket@vX.Y.Z` and advises pinning in production:
 * https://karpenter.sh/docs/tasks/managing-amis/
 *
 * - AL2023 `v20260714`: the newest EKS AMI release in awslabs/amazon-eks-ami's CHANGELOG.md ("AMI Release
 *   v20260714", AL2023_x86_64_NVIDIA listed) as of commit 81fec2e (2026-07-23):
 *   https://github.com/awslabs/amazon-eks-ami/blob/81fec2e895854f599974fe4d3d72f61c0a9aaffa/CHANGELOG.md
 *   https://github.com/awslabs/amazon-eks-ami/releases/tag/v20260714
 *   (`v20260818`, pinned before, appears only in third-party pull request titles; no release note of the
 *   project could be found for it, so it is not used.)
 * - Bottlerocket `v1.64.0`: announced released by the maintainers on 2026-08-05 in the tracking issue
 *   https://github.com/bottlerocket-os/bottlerocket/issues/4895 (release
 *   https://github.com/bottlerocket-os/bottlerocket/releases/v1.64.0). `v1.61.0`, pinned before, is a real
 *   release (https://github.com/bottlerocket-os/bottlerocket/issues/4843) but predates v1.62.1, the fix for
 *   the AWS security bulletin 2026-046 (https://github.com/bottlerocket-os/bottlerocket/issues/4861).
 */
export const PINNED_KARPENTER_AMI_VERSIONS: Readonly<Record<GpuAmiType, string>> = {
  AL2023_x86_64_NVIDIA: "v20260714",
  BOTTLEROCKET_x86_64_NVIDIA: "v1.64.0",
};
/** Default of `karpenter.disruptionBudgetNodes`: one GPU node at a time. */
export const DEFAULT_KARPENTER_DISRUPTION_BUDGET_NODES = "1";

/** Default image of the NVIDIA device plugin. */
export const DEFAULT_DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1";
