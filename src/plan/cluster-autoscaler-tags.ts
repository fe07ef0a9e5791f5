/**
 * Tags that let the Kubernetes Cluster Autoscaler find a managed node group and scale it from zero nodes.
 *
 * Rules from the Cluster Autoscaler's AWS guide,
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md:
 * - auto-discovery (`--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`)
 *   finds groups carrying both tag keys (values are ignored);
 * - with no node to copy, the autoscaler builds a template node from the instance type plus the
 *   `k8s.io/cluster-autoscaler/node-template/...` tags: `resources/<name>` = count, `label/<key>` = value,
 *   `taint/<key>` = `value:Effect`. For EKS managed node groups it reads them from the node group
 *   (`eks:DescribeNodegroup`) as well as from the Auto Scaling group.
 */
import type { Lazy } from "../lazy";
import { GPU_TAINT, NVIDIA_GPU_RESOURCE } from "./gpu-node";

/** The tag-key prefix of everything the Cluster Autoscaler reads. */
export const CLUSTER_AUTOSCALER_TAG_PREFIX = "k8s.io/cluster-autoscaler";

/** AWS's limit on a tag key (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
const MAX_TAG_KEY_LENGTH = 128;

/** What the node template of a GPU pool says. */
export interface NodeTemplate {
  /** The EKS cluster; its tag is left out while it is an unresolved value (EKS tags the group's ASG with it). */
  readonly clusterName: Lazy<string>;
  /** GPUs of the smallest instance type of the pool. */
  readonly gpusPerNode: number;
  /** Kubernetes labels of every node. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Auto-discovery and node-template tags of a GPU node group. A label whose tag key would pass AWS's
 * 128-character limit is left out (no tag can carry it).
 */
export function clusterAutoscalerTags(template: NodeTemplate): Record<string, string> {
  const tags: Record<string, string> = { [`${CLUSTER_AUTOSCALER_TAG_PREFIX}/enabled`]: "true" };
  if (typeof template.clusterName === "string")
    tags[`${CLUSTER_AUTOSCALER_TAG_PREFIX}/${template.clusterName}`] = "owned";
  const node = `${CLUSTER_AUTOSCALER_TAG_PREFIX}/node-template`;
  tags[`${node}/resources/${NVIDIA_GPU_RESOURCE}`] = String(template.gpusPerNode);
  for (const [key, value] of Object.entries(template.labels)) tags[`${node}/label/${key}`] = value;
  tags[`${node}/taint/${GPU_TAINT.key}`] = `${GPU_TAINT.value}:${GPU_TAINT.effect}`;
  return Object.fromEntries(Object.entries(tags).filter(([key]) => key.length <= MAX_TAG_KEY_LENGTH));
}
