/**
 * GpuNodePool props, their defaults and their validation: props -> {@link GpuNodePoolSpec}.
 */
import { explainNonGpuInstanceType } from "../catalog/gpu-instance-types";
import { isUnresolved, type Lazy } from "../lazy";
import { GPU_NODE_POOL_NAME_MAX_LENGTH } from "../naming-gpu-pool-failover";
import { show, Validator } from "../validate";
import {
  checkDns1123Label,
  checkIntegerRange,
  checkKnownKeys,
  checkLabelValue,
  checkNonNegativeInteger,
  checkOneOf,
  propNames,
} from "./common";
import { type DcgmExporterProps, type DcgmExporterSpec, resolveDcgmExporter } from "./dcgm-exporter";

export const GPU_NODE_POOL_MODES = ["managed", "karpenter"] as const;
export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export const GPU_AMI_TYPES = ["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"] as const;

/** How the pool's nodes are created. */
export type GpuNodePoolMode = (typeof GPU_NODE_POOL_MODES)[number];
/** EC2 purchasing option of the pool's nodes. */
export type CapacityType = (typeof CAPACITY_TYPES)[number];
/** EKS AMI types with the NVIDIA driver. */
export type GpuAmiType = (typeof GPU_AMI_TYPES)[number];
/** IMDSv2 response hop limit: 1 keeps pods away from the node's credentials; 2 lets pods reach IMDS. */
export type ImdsHopLimit = 1 | 2;

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
   * Nodes at creation (`managed` mode only); the cluster autoscaler owns the count afterwards.
   * @default - `min`
   */
  readonly desired?: number;
}

/** Options of `karpenter` mode. */
export interface GpuNodePoolKarpenterProps {
  /**
   * Name of the IAM role Karpenter gives the nodes it launches (the node role created with Karpenter's
   * installation, already allowed to join the cluster).
   */
  readonly nodeRoleName: Lazy<string>;
  /**
   * AMI version in Karpenter's alias form (`al2023@<version>`, `bottlerocket@<version>`), e.g. `v20260818` for
   * AL2023 or `v1.61.0` for Bottlerocket. A pinned version means nodes only change when you change it: Karpenter
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
 * Karpenter AMI alias versions a pool uses unless `karpenter.amiVersion` is set: releases this version of
 * onnxfleet was checked against (EKS AL2023 AMI release v20260818, awslabs/amazon-eks-ami; Bottlerocket
 * v1.61.0, bottlerocket-os/bottlerocket). They move only with an onnxfleet release, never on their own.
 */
export const PINNED_KARPENTER_AMI_VERSIONS: Readonly<Record<GpuAmiType, string>> = {
  AL2023_x86_64_NVIDIA: "v20260818",
  BOTTLEROCKET_x86_64_NVIDIA: "v1.61.0",
};
/** Default of `karpenter.disruptionBudgetNodes`: one GPU node at a time. */
export const DEFAULT_KARPENTER_DISRUPTION_BUDGET_NODES = "1";

/** Default image of the NVIDIA device plugin. */
export const DEFAULT_DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1";

/** Validated {@link GpuNodePoolProps} with every default applied. */
export interface GpuNodePoolSpec {
  readonly name: string;
  readonly clusterName: Lazy<string>;
  readonly subnetIds: Lazy<readonly Lazy<string>[]> | undefined;
  readonly instanceTypes: readonly string[];
  readonly nodes: { readonly min: number; readonly max: number; readonly desired: number };
  readonly capacityType: CapacityType;
  readonly amiType: GpuAmiType;
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly mode: GpuNodePoolMode;
  /** The user's node role (`managed` mode), or undefined when the pool creates one. */
  readonly nodeRoleArn: Lazy<string> | undefined;
  readonly karpenter:
    | {
        readonly nodeRoleName: Lazy<string>;
        readonly amiVersion: string;
        readonly consolidateAfterSeconds: number;
        readonly disruptionBudgetNodes: string;
      }
    | undefined;
  readonly imdsHopLimit: ImdsHopLimit;
  readonly devicePluginImage: string;
  readonly dcgmExporter: DcgmExporterSpec;
}

const GPU_NODE_POOL_PROPS = propNames<GpuNodePoolProps>({
  clusterName: true,
  subnetIds: true,
  instanceTypes: true,
  nodes: true,
  capacityType: true,
  amiType: true,
  diskSizeGiB: true,
  labels: true,
  mode: true,
  nodeRoleArn: true,
  karpenter: true,
  imdsHopLimit: true,
  devicePluginImage: true,
  dcgmExporter: true,
});
const RESERVED_LABEL_NAMESPACE = /(^|\.)(kubernetes\.io|k8s\.io|karpenter\.sh|onnxfleet\.dev)\//;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
/** An IAM role ARN in any partition: `arn:aws[-cn|-us-gov|...]:iam::<account>:role/<path/name>`. */
const IAM_ROLE_ARN = /^arn:aws[-a-z]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const AMI_VERSION = /^(latest|v[0-9][0-9A-Za-z.-]*)$/;

/**
 * Validates `props` of the GpuNodePool `name` (every problem at once, see {@link Validator}) and applies the
 * defaults. Unresolved values (Pulumi Outputs, CDKTF tokens) pass through unchecked.
 * @throws ValidationError listing every problem.
 */
export function resolveGpuNodePoolSpec(name: string, props: GpuNodePoolProps): GpuNodePoolSpec {
  const check = new Validator("GpuNodePool", name);
  if (props === null || typeof props !== "object") {
    check.add("props", `(${show(props)}) must be an object`);
    check.throwIfAny();
  }
  checkDns1123Label(check, "name", name, GPU_NODE_POOL_NAME_MAX_LENGTH);
  checkKnownKeys(check, "", props, GPU_NODE_POOL_PROPS);
  const mode = props.mode ?? "managed";
  checkOneOf(check, "mode", props.mode, GPU_NODE_POOL_MODES);
  checkOneOf(check, "capacityType", props.capacityType, CAPACITY_TYPES);
  checkOneOf(check, "amiType", props.amiType, GPU_AMI_TYPES);
  checkClusterName(check, props.clusterName);
  checkSubnetIds(check, props.subnetIds, mode);
  checkInstanceTypes(check, props.instanceTypes);
  checkNodes(check, props.nodes, mode);
  checkIntegerRange(check, "diskSizeGiB", props.diskSizeGiB, DISK_SIZE_GIB_MIN, DISK_SIZE_GIB_MAX);
  checkLabels(check, props.labels);
  check.ifKnown(props.imdsHopLimit, (limit) =>
    check.that(limit === 1 || limit === 2, "imdsHopLimit", `(${show(limit)}) must be 1 or 2`),
  );
  check.ifKnown(props.devicePluginImage, (image) =>
    check.that(
      typeof image === "string" && /^\S+$/.test(image),
      "devicePluginImage",
      `(${show(image)}) must be an image reference without spaces`,
    ),
  );
  checkNodeRoleArn(check, props.nodeRoleArn, mode);
  checkKarpenter(check, props.karpenter, mode);
  const dcgmExporter = resolveDcgmExporter(check, props.dcgmExporter);
  check.throwIfAny();

  return {
    name,
    clusterName: props.clusterName,
    subnetIds: props.subnetIds,
    instanceTypes: [...props.instanceTypes],
    nodes: { min: props.nodes.min, max: props.nodes.max, desired: props.nodes.desired ?? props.nodes.min },
    capacityType: props.capacityType ?? "ON_DEMAND",
    amiType: props.amiType ?? "AL2023_x86_64_NVIDIA",
    diskSizeGiB: props.diskSizeGiB ?? 100,
    labels: { ...(props.labels ?? {}) },
    mode,
    nodeRoleArn: mode === "managed" ? props.nodeRoleArn : undefined,
    karpenter:
      mode === "karpenter" && props.karpenter
        ? {
            nodeRoleName: props.karpenter.nodeRoleName,
            amiVersion:
              props.karpenter.amiVersion ??
              PINNED_KARPENTER_AMI_VERSIONS[props.amiType ?? "AL2023_x86_64_NVIDIA"],
            consolidateAfterSeconds: props.karpenter.consolidateAfterSeconds ?? 300,
            disruptionBudgetNodes:
              props.karpenter.disruptionBudgetNodes ?? DEFAULT_KARPENTER_DISRUPTION_BUDGET_NODES,
          }
        : undefined,
    imdsHopLimit: props.imdsHopLimit ?? 1,
    devicePluginImage: props.devicePluginImage ?? DEFAULT_DEVICE_PLUGIN_IMAGE,
    dcgmExporter,
  };
}

function checkClusterName(check: Validator, clusterName: Lazy<string>): void {
  if (clusterName === undefined) {
    check.add("clusterName", "is required: the name of the EKS cluster");
    return;
  }
  check.ifKnown(clusterName, (value) =>
    check.that(
      typeof value === "string" && EKS_CLUSTER_NAME.test(value),
      "clusterName",
      `(${show(value)}) must be an EKS cluster name: 1 to 100 letters, digits, "-" or "_", starting with a letter or digit`,
    ),
  );
}

function checkSubnetIds(
  check: Validator,
  subnetIds: GpuNodePoolProps["subnetIds"],
  mode: GpuNodePoolMode,
): void {
  if (subnetIds === undefined) {
    if (mode === "managed") check.add("subnetIds", "is required in managed mode: the subnets of the nodes");
    return;
  }
  if (isUnresolved(subnetIds)) {
    check.that(
      mode !== "karpenter",
      "subnetIds",
      "must be a list in karpenter mode (its elements may be unresolved), or omitted to select subnets by " +
        "the karpenter.sh/discovery tag",
    );
    return;
  }
  if (!Array.isArray(subnetIds)) {
    check.add("subnetIds", `(${show(subnetIds)}) must be a list of subnet ids`);
    return;
  }
  check.that(subnetIds.length > 0, "subnetIds", "([]) must list at least one subnet");
  subnetIds.forEach((id, i) => {
    check.ifKnown(id, (value) =>
      check.that(
        typeof value === "string" && SUBNET_ID.test(value),
        `subnetIds[${i}]`,
        `(${show(value)}) must be a subnet id like "subnet-0abc12345def67890"`,
      ),
    );
  });
}

function checkInstanceTypes(check: Validator, instanceTypes: readonly string[] | undefined): void {
  if (!Array.isArray(instanceTypes) || instanceTypes.length === 0) {
    check.add(
      "instanceTypes",
      `(${show(instanceTypes)}) must list at least one GPU instance type, e.g. ["g5.xlarge"]`,
    );
    return;
  }
  const seen = new Set<string>();
  instanceTypes.forEach((type, i) => {
    const path = `instanceTypes[${i}]`;
    if (typeof type !== "string") {
      check.add(path, `(${show(type)}) must be an EC2 instance type name such as "g5.xlarge"`);
      return;
    }
    const why = explainNonGpuInstanceType(type);
    if (why) check.add(path, `(${show(type)}) ${why}`);
    if (seen.has(type)) check.add(path, `(${show(type)}) is listed twice`);
    seen.add(type);
  });
}

function checkNodes(check: Validator, nodes: GpuNodeCountProps | undefined, mode: GpuNodePoolMode): void {
  if (nodes === null || typeof nodes !== "object") {
    check.add("nodes", `(${show(nodes)}) must be an object { min, max, desired? }`);
    return;
  }
  checkKnownKeys(
    check,
    "nodes",
    nodes,
    propNames<GpuNodeCountProps>({ min: true, max: true, desired: true }),
  );
  const minOk = checkNonNegativeInteger(check, "nodes.min", nodes.min);
  const maxOk = checkIntegerRange(check, "nodes.max", nodes.max, 1, 1000);
  const desiredOk = checkNonNegativeInteger(check, "nodes.desired", nodes.desired);
  if (minOk && maxOk && nodes.min > nodes.max)
    check.add("nodes.min", `(${nodes.min}) must not exceed nodes.max (${nodes.max})`);
  if (desiredOk && minOk && maxOk && nodes.desired !== undefined) {
    check.that(
      nodes.desired >= nodes.min && nodes.desired <= nodes.max,
      "nodes.desired",
      `(${nodes.desired}) must lie between nodes.min (${nodes.min}) and nodes.max (${nodes.max})`,
    );
  }
  if (mode === "karpenter") {
    if (minOk && nodes.min !== 0)
      check.add(
        "nodes.min",
        `(${nodes.min}) must be 0 in karpenter mode: Karpenter launches nodes for pending pods and keeps no minimum`,
      );
    if (nodes.desired !== undefined)
      check.add(
        "nodes.desired",
        `(${show(nodes.desired)}) applies to managed mode only; omit it in karpenter mode`,
      );
  }
}

function checkLabels(check: Validator, labels: Readonly<Record<string, string>> | undefined): void {
  if (labels === undefined) return;
  if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
    check.add("labels", `(${show(labels)}) must be a map of label keys to values`);
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    const path = `labels[${show(key)}]`;
    if (!LABEL_KEY.test(key) || key.length > 316)
      check.add(path, 'is not a Kubernetes label key: an optional DNS subdomain prefix and "/", then a name');
    else if (RESERVED_LABEL_NAMESPACE.test(key))
      check.add(path, "uses a reserved namespace (kubernetes.io, k8s.io, karpenter.sh, onnxfleet.dev)");
    checkLabelValue(check, path, value);
  }
}

function checkNodeRoleArn(check: Validator, roleArn: Lazy<string> | undefined, mode: GpuNodePoolMode): void {
  if (roleArn === undefined) return;
  if (mode === "karpenter") {
    check.add(
      "nodeRoleArn",
      "applies to managed mode only; in karpenter mode give the role's name in karpenter.nodeRoleName " +
        "(an EC2NodeClass takes a role name, not an ARN)",
    );
    return;
  }
  check.ifKnown(roleArn, (arn) =>
    check.that(
      typeof arn === "string" && IAM_ROLE_ARN.test(arn),
      "nodeRoleArn",
      `(${show(arn)}) must be an IAM role ARN like "arn:aws:iam::123456789012:role/eks-nodes"`,
    ),
  );
}

function checkKarpenter(
  check: Validator,
  karpenter: GpuNodePoolKarpenterProps | undefined,
  mode: GpuNodePoolMode,
): void {
  if (mode !== "karpenter") {
    if (karpenter !== undefined)
      check.add("karpenter", 'applies to mode "karpenter" only; remove it or set mode');
    return;
  }
  if (karpenter === null || typeof karpenter !== "object") {
    check.add("karpenter", "is required in karpenter mode: { nodeRoleName } at least");
    return;
  }
  checkKnownKeys(
    check,
    "karpenter",
    karpenter,
    propNames<GpuNodePoolKarpenterProps>({
      nodeRoleName: true,
      amiVersion: true,
      consolidateAfterSeconds: true,
      disruptionBudgetNodes: true,
    }),
  );
  if (karpenter.nodeRoleName === undefined)
    check.add("karpenter.nodeRoleName", "is required in karpenter mode: the IAM role of Karpenter's nodes");
  check.ifKnown(karpenter.nodeRoleName, (role) =>
    check.that(
      typeof role === "string" && /^[\w+=,.@-]{1,64}$/.test(role),
      "karpenter.nodeRoleName",
      `(${show(role)}) must be an IAM role name (1 to 64 of letters, digits and +=,.@_-), not an ARN`,
    ),
  );
  check.ifKnown(karpenter.amiVersion, (version) =>
    check.that(
      typeof version === "string" && AMI_VERSION.test(version),
      "karpenter.amiVersion",
      `(${show(version)}) must be "latest" or a version such as "v20250920"`,
    ),
  );
  checkIntegerRange(check, "karpenter.consolidateAfterSeconds", karpenter.consolidateAfterSeconds, 0, 86_400);
  check.ifKnown(karpenter.disruptionBudgetNodes, (nodes) =>
    check.that(
      typeof nodes === "string" && /^((100|[0-9]{1,2})%|[0-9]+)$/.test(nodes),
      "karpenter.disruptionBudgetNodes",
      `(${show(nodes)}) must be a node count such as "1" or a percentage such as "10%" (Karpenter's budget format)`,
    ),
  );
}
