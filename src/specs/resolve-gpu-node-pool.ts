/**
 * GpuNodePool props -> validated spec with every default applied. All problems are collected and thrown at
 * once as a ValidationError; unresolved values (Pulumi Outputs, CDKTF tokens) pass through unchecked.
 */
import { explainNonGpuInstanceType } from "../catalog/gpu-instance-types";
import { isUnresolved, type Lazy } from "../lazy";
import { GPU_NODE_POOL_NAME_MAX_LENGTH } from "../naming-gpu-pool-failover";
import { show, Validator } from "../validate";
import {
  checkDns1123Label,
  checkIamRoleArn,
  checkIntegerRange,
  checkKnownKeys,
  checkLabelValue,
  checkNonNegativeInteger,
  checkOneOf,
  propNames,
} from "./common";
import { type DcgmExporterSpec, resolveDcgmExporter } from "./dcgm-exporter";
import {
  CAPACITY_TYPES,
  type CapacityType,
  DEFAULT_DEVICE_PLUGIN_IMAGE,
  DEFAULT_KARPENTER_DISRUPTION_BUDGET_NODES,
  DISK_SIZE_GIB_MAX,
  DISK_SIZE_GIB_MIN,
  GPU_AMI_TYPES,
  GPU_NODE_POOL_MODES,
  type GpuAmiType,
  type GpuNodeCountProps,
  type GpuNodePoolKarpenterProps,
  type GpuNodePoolMode,
  type GpuNodePoolProps,
  IMDS_HOP_LIMITS,
  type ImdsHopLimit,
  PINNED_KARPENTER_AMI_VERSIONS,
} from "./gpu-node-pool";

/** The construct's name in error messages: `GpuNodePool "name": path reason`. */
export const GPU_NODE_POOL = "GpuNodePool";

/** Validated {@link GpuNodePoolProps} with every default applied. */
export interface GpuNodePoolSpec {
  readonly name: string;
  readonly clusterName: Lazy<string>;
  readonly subnetIds: Lazy<readonly Lazy<string>[]> | undefined;
  readonly instanceTypes: readonly string[];
  readonly nodes: {
    readonly min: number;
    readonly max: number;
    readonly desired: number;
    /** Whether `desired` is sent on every apply (otherwise only at creation). */
    readonly applyDesired: boolean;
  };
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
const AMI_VERSION = /^(latest|v[0-9][0-9A-Za-z.-]*)$/;

/**
 * Validates `props` of the GpuNodePool `name` (every problem at once, see {@link Validator}) and applies the
 * defaults. Unresolved values (Pulumi Outputs, CDKTF tokens) pass through unchecked.
 * @throws ValidationError listing every problem.
 */
export function resolveGpuNodePoolSpec(name: string, props: GpuNodePoolProps): GpuNodePoolSpec {
  const check = new Validator(GPU_NODE_POOL, name);
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
    check.that(IMDS_HOP_LIMITS.includes(limit), "imdsHopLimit", `(${show(limit)}) must be 1 or 2`),
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
    nodes: {
      min: props.nodes.min,
      max: props.nodes.max,
      desired: props.nodes.desired ?? props.nodes.min,
      applyDesired: props.nodes.applyDesired ?? false,
    },
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
    check.add("nodes", `(${show(nodes)}) must be an object { min, max, desired?, applyDesired? }`);
    return;
  }
  checkKnownKeys(
    check,
    "nodes",
    nodes,
    propNames<GpuNodeCountProps>({ min: true, max: true, desired: true, applyDesired: true }),
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
  const applyDesired = nodes.applyDesired;
  if (applyDesired !== undefined && typeof applyDesired !== "boolean")
    check.add("nodes.applyDesired", `(${show(applyDesired)}) must be true or false`);
  // With applyDesired the plan sends `desired` to EKS: an implicit one (min) could scale a busy group in.
  if (applyDesired === true && nodes.desired === undefined && mode !== "karpenter")
    check.add(
      "nodes.applyDesired",
      "(true) sends nodes.desired to EKS, which is not set: give nodes.desired, the node group's current " +
        "desired size clamped into [nodes.min, nodes.max] (aws eks describe-nodegroup --query " +
        "nodegroup.scalingConfig.desiredSize)",
    );
  if (mode === "karpenter") {
    if (applyDesired !== undefined)
      check.add(
        "nodes.applyDesired",
        `(${show(applyDesired)}) applies to managed mode only; omit it in karpenter mode`,
      );
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
  checkIamRoleArn(check, "nodeRoleArn", roleArn);
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
