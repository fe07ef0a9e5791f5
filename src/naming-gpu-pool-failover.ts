/**
 * Names of the resources GpuNodePool and MultiRegionFailover plan: a public contract (changing one replaces
 * cloud resources or orphans Kubernetes objects), pinned by test/core/naming-gpu-pool-failover.test.ts.
 */

/**
 * Longest GpuNodePool name: `nvidia-device-plugin-<name>` must stay a DNS-1123 label (63) and `<name>-` a
 * valid EKS node group and IAM role name prefix (37).
 */
export const GPU_NODE_POOL_NAME_MAX_LENGTH = 36;

/** Node label every GpuNodePool puts on its nodes; its value is the pool name. Workloads select on it. */
export const NODE_POOL_LABEL = "onnxfleet.dev/node-pool";

/** Namespace of the NVIDIA device plugin DaemonSets. */
export const DEVICE_PLUGIN_NAMESPACE = "kube-system";

/** Logical names of a GpuNodePool's cloud resources and names of its Kubernetes objects. */
export const gpuNodePoolNames = (pool: string) =>
  ({
    /** IAM role of the managed node group's nodes. */
    nodeRole: `${pool}-node-role`,
    /** Attachment of one AWS managed policy to the node role. */
    nodeRolePolicyAttachment: (policyName: string) => `${pool}-node-role-${policyName}`,
    /** EC2 launch template (IMDSv2, disk). */
    launchTemplate: `${pool}-launch-template`,
    /** EKS managed node group. */
    nodeGroup: `${pool}-node-group`,
    /** Prefix of the physical names AWS gives the role, launch template and node group. */
    physicalNamePrefix: `${pool}-`,
    /** NVIDIA device plugin DaemonSet (kube-system). */
    devicePlugin: `nvidia-device-plugin-${pool}`,
    /** NVIDIA DCGM exporter: its DaemonSet, Service, ServiceMonitor and NetworkPolicy. */
    dcgmExporter: `${pool}-dcgm-exporter`,
    /** Karpenter NodePool (karpenter.sh/v1). */
    karpenterNodePool: pool,
    /** Karpenter EC2NodeClass (karpenter.k8s.aws/v1). */
    karpenterNodeClass: pool,
  }) as const;

/** Logical names of a MultiRegionFailover's Route53 resources for one region. */
export const multiRegionFailoverNames = (failover: string, region: string) =>
  ({
    /** Route53 health check on the region's endpoint. */
    healthCheck: `${failover}-${region}-health-check`,
    /** Route53 record of the region (its set identifier is the region). */
    record: `${failover}-${region}-record`,
    /** CloudWatch alarm on the region's health check (created in us-east-1). */
    healthAlarm: `${failover}-${region}-health-alarm`,
  }) as const;
