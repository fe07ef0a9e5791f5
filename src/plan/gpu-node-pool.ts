/**
 * GpuNodePool planner: props -> an EKS managed node group (role, policies, launch template) or Karpenter
 * objects, the NVIDIA device plugin where the AMI lacks it, and the binding a ModelService uses.
 */
import { type GpuPoolCapacity, gpuPoolCapacity } from "../capacity/gpu-pool";
import { gpuNodePoolNames, NODE_POOL_LABEL } from "../naming-gpu-pool-failover";
import type { GpuNodePoolProps } from "../specs/gpu-node-pool";
import { type GpuNodePoolSpec, resolveGpuNodePoolSpec } from "../specs/resolve-gpu-node-pool";
import { plannedCloudResource } from "./cloud-resource-types";
import { clusterAutoscalerTags } from "./cluster-autoscaler-tags";
import { planDcgmExporter } from "./dcgm-exporter";
import { containerVolumeDevice, GPU_TAINT, NVIDIA_GPU_RESOURCE, nodeLabels } from "./gpu-node";
import { planKarpenterObjects } from "./karpenter-node-pool";
import { needsDevicePlugin, planNvidiaDevicePlugin } from "./nvidia-device-plugin";
import { type CloudResourcePlan, cloudRef, type KubernetesObject, type NodePoolBinding } from "./types";

/** AWS managed policies of the node role: join the cluster, pull from ECR, run the VPC CNI. Nothing else. */
export const NODE_ROLE_MANAGED_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEKS_CNI_Policy",
] as const;

/** Everything a GpuNodePool creates. */
export interface GpuNodePoolPlan {
  /** The validated props with defaults applied. */
  readonly spec: GpuNodePoolSpec;
  /**
   * Cloud resources in creation order: in `managed` mode the node role and its policy attachments (unless
   * `nodeRoleArn` names an existing role), the launch template and the node group; none in `karpenter` mode
   * (Karpenter launches the nodes).
   */
  readonly cloudResources: readonly CloudResourcePlan[];
  /**
   * Kubernetes objects: in `karpenter` mode the NodePool and EC2NodeClass, the NVIDIA device plugin DaemonSet
   * (AL2023 only) and, with `dcgmExporter.enabled`, the DCGM exporter's DaemonSet, Service, ServiceMonitor and
   * NetworkPolicy.
   */
  readonly kubernetesObjects: readonly KubernetesObject[];
  /** What a ModelService bound to the pool needs: selector, tolerations, GPU resource and sizes. */
  readonly binding: NodePoolBinding;
  /** GPU capacity of the pool. */
  readonly capacity: GpuPoolCapacity;
}

/**
 * Plans the GpuNodePool `name`.
 * @throws ValidationError listing every invalid prop.
 */
export function planGpuNodePool(name: string, props: GpuNodePoolProps): GpuNodePoolPlan {
  const spec = resolveGpuNodePoolSpec(name, props);
  const capacity = gpuPoolCapacity(spec.instanceTypes, spec.nodes.max);
  const kubernetesObjects: KubernetesObject[] = [];
  if (spec.mode === "karpenter") kubernetesObjects.push(...planKarpenterObjects(spec, capacity));
  if (needsDevicePlugin(spec.amiType)) kubernetesObjects.push(planNvidiaDevicePlugin(spec));
  if (spec.dcgmExporter.enabled) kubernetesObjects.push(...planDcgmExporter(spec));
  return {
    spec,
    cloudResources: spec.mode === "managed" ? planManagedNodeGroup(spec, capacity) : [],
    kubernetesObjects,
    binding: {
      poolName: spec.name,
      nodeSelector: { [NODE_POOL_LABEL]: spec.name },
      tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
      gpuResourceName: NVIDIA_GPU_RESOURCE,
      gpusPerNode: capacity.gpusPerNode,
      gpuMemoryGiB: capacity.gpuMemoryGiB,
      instanceTypes: [...spec.instanceTypes],
      maxNodes: spec.nodes.max,
    },
    capacity,
  };
}

const EC2_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The node role and its policy attachments, unless the user gave `nodeRoleArn` (then none). */
function planNodeRole(spec: GpuNodePoolSpec, description: string): CloudResourcePlan[] {
  if (spec.nodeRoleArn !== undefined) return [];
  const names = gpuNodePoolNames(spec.name);
  return [
    plannedCloudResource({
      type: "aws:iam:Role",
      logicalName: names.nodeRole,
      properties: {
        namePrefix: names.physicalNamePrefix,
        description,
        assumeRolePolicy: EC2_ASSUME_ROLE_POLICY,
      },
    }),
    ...NODE_ROLE_MANAGED_POLICIES.map((policy) =>
      plannedCloudResource({
        type: "aws:iam:RolePolicyAttachment",
        logicalName: names.nodeRolePolicyAttachment(policy),
        properties: {
          role: cloudRef(names.nodeRole, "name"),
          policyArn: `arn:aws:iam::aws:policy/${policy}`,
        },
      }),
    ),
  ];
}

function planManagedNodeGroup(spec: GpuNodePoolSpec, capacity: GpuPoolCapacity): CloudResourcePlan[] {
  const names = gpuNodePoolNames(spec.name);
  const description = `Nodes of the onnxfleet GpuNodePool "${spec.name}"`;
  const role = planNodeRole(spec, description);
  const attachments = role.filter((resource) => resource.type === "aws:iam:RolePolicyAttachment");
  return [
    ...role,
    plannedCloudResource({
      type: "aws:ec2:LaunchTemplate",
      logicalName: names.launchTemplate,
      properties: {
        namePrefix: names.physicalNamePrefix,
        description,
        updateDefaultVersion: true,
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: spec.imdsHopLimit,
          instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [
          {
            deviceName: containerVolumeDevice(spec),
            ebs: {
              volumeSize: spec.diskSizeGiB,
              volumeType: "gp3",
              encrypted: "true",
              deleteOnTermination: "true",
            },
          },
        ],
      },
    }),
    plannedCloudResource({
      type: "aws:eks:NodeGroup",
      logicalName: names.nodeGroup,
      properties: {
        clusterName: spec.clusterName,
        nodeGroupNamePrefix: names.physicalNamePrefix,
        nodeRoleArn: spec.nodeRoleArn ?? cloudRef(names.nodeRole, "arn"),
        subnetIds: spec.subnetIds,
        amiType: spec.amiType,
        capacityType: spec.capacityType,
        instanceTypes: [...spec.instanceTypes],
        scalingConfig: { minSize: spec.nodes.min, maxSize: spec.nodes.max, desiredSize: spec.nodes.desired },
        updateConfig: { maxUnavailable: 1 },
        labels: nodeLabels(spec),
        taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" }],
        // The Cluster Autoscaler finds the group and, at zero nodes, knows its GPUs, labels and taint.
        tags: clusterAutoscalerTags({
          clusterName: spec.clusterName,
          gpusPerNode: capacity.gpusPerNode,
          labels: nodeLabels(spec),
        }),
        launchTemplate: {
          id: cloudRef(names.launchTemplate, "id"),
          // The template's `latestVersion` is a number; the node group takes the version as a string.
          version: cloudRef(names.launchTemplate, "latestVersion", { as: "string" }),
        },
      },
      // The cluster autoscaler owns the desired size after creation, unless this apply sends it with new bounds
      // (EKS refuses bounds that exclude the current desired size:
      // https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html).
      ...(spec.nodes.applyDesired ? {} : { ignoreChanges: ["scalingConfig.desiredSize"] }),
      ...(attachments.length > 0
        ? { dependsOn: attachments.map((attachment) => attachment.logicalName) }
        : {}),
    }),
  ];
}
