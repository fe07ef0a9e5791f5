/**
 * Karpenter mode of a GpuNodePool: a NodePool (karpenter.sh/v1) that launches the pool's instance types
 * with the GPU taint and pool label, and its EC2NodeClass (karpenter.k8s.aws/v1) with IMDSv2 required.
 */
import type { GpuPoolCapacity } from "../capacity/gpu-pool";
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, MANAGED_BY } from "../labels";
import { isUnresolved } from "../lazy";
import { gpuNodePoolNames } from "../naming-gpu-pool-failover";
import type { GpuNodePoolSpec } from "../specs/resolve-gpu-node-pool";
import { containerVolumeDevice, GPU_TAINT, NVIDIA_GPU_RESOURCE, nodeLabels } from "./gpu-node";
import type { KubernetesObject } from "./types";

/** Tag Karpenter's getting-started guide puts on the subnets it may use. */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";
/** Tag EKS puts on the cluster security group. */
export const EKS_CLUSTER_SECURITY_GROUP_TAG = "aws:eks:cluster-name";

/** The NodePool and EC2NodeClass of a pool in `karpenter` mode. */
export function planKarpenterObjects(spec: GpuNodePoolSpec, capacity: GpuPoolCapacity): KubernetesObject[] {
  const karpenter = spec.karpenter;
  if (!karpenter) throw new Error(`GpuNodePool "${spec.name}": karpenter options missing in karpenter mode`);
  const names = gpuNodePoolNames(spec.name);
  const labels = {
    [LABEL_INSTANCE]: spec.name,
    [LABEL_COMPONENT]: "gpu-node-pool",
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  const bottlerocket = spec.amiType === "BOTTLEROCKET_x86_64_NVIDIA";
  const volume = (deviceName: string, sizeGiB: number) => ({
    deviceName,
    ebs: { volumeSize: `${sizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
  });
  const subnetIds = spec.subnetIds;
  const subnetSelectorTerms =
    subnetIds === undefined || isUnresolved(subnetIds)
      ? [{ tags: { [KARPENTER_DISCOVERY_TAG]: spec.clusterName } }]
      : (subnetIds as readonly unknown[]).map((id) => ({ id }));
  const nodePool: KubernetesObject = {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: names.karpenterNodePool, labels },
    spec: {
      template: {
        metadata: { labels: nodeLabels(spec) },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: names.karpenterNodeClass },
          requirements: [
            { key: "node.kubernetes.io/instance-type", operator: "In", values: [...spec.instanceTypes] },
            {
              key: "karpenter.sh/capacity-type",
              operator: "In",
              values: [spec.capacityType === "SPOT" ? "spot" : "on-demand"],
            },
            { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
          ],
          taints: [{ ...GPU_TAINT }],
        },
      },
      limits: { [NVIDIA_GPU_RESOURCE]: String(capacity.maxGpus) },
      disruption: {
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        consolidateAfter: `${karpenter.consolidateAfterSeconds}s`,
        // Every voluntary disruption (drift after an AMI change, consolidation, emptiness) replaces at most
        // this many GPU nodes at once; without a budget Karpenter allows 10 % of the nodes.
        // https://karpenter.sh/docs/concepts/disruption/#nodepool-disruption-budgets
        budgets: [{ nodes: karpenter.disruptionBudgetNodes }],
      },
    },
  };
  const nodeClass: KubernetesObject = {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: names.karpenterNodeClass, labels },
    spec: {
      role: karpenter.nodeRoleName,
      amiSelectorTerms: [{ alias: `${bottlerocket ? "bottlerocket" : "al2023"}@${karpenter.amiVersion}` }],
      subnetSelectorTerms,
      securityGroupSelectorTerms: [{ tags: { [EKS_CLUSTER_SECURITY_GROUP_TAG]: spec.clusterName } }],
      metadataOptions: {
        httpEndpoint: "enabled",
        httpProtocolIPv6: "disabled",
        httpPutResponseHopLimit: spec.imdsHopLimit,
        httpTokens: "required",
      },
      blockDeviceMappings: bottlerocket
        ? [volume("/dev/xvda", 4), volume(containerVolumeDevice(spec), spec.diskSizeGiB)]
        : [volume(containerVolumeDevice(spec), spec.diskSizeGiB)],
    },
  };
  return [nodePool, nodeClass];
}
