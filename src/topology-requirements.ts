/**
 * What `onnxfleet render` cannot create: a rendered file holds Kubernetes objects only, so a GitOps user must
 * provide the topology's cloud resources (a managed pool's node group, node role and launch template; a
 * ModelService's model read policy, Pod Identity role and association; a failover's Route53 health checks,
 * records and alarms) and the cluster-side prerequisites the plans assume (namespace labels, the order pods
 * wait for, the Prometheus Adapter rule), each with its planned properties. Listed on stderr and in the
 * rendered file's header comment.
 */
import { planModelServiceCloud } from "./plan/model-pod-identity";
import type { CloudResourcePlan } from "./plan/types";
import type { TopologyFile, TopologyPlan } from "./render";

/** Placeholder of a Pod Identity association's cluster when the file names none. */
export const UNKNOWN_CLUSTER = "<your EKS cluster: set clusterName on the model service or bind a pool>";

/** A cloud resource the topology needs, planned by one of its constructs. */
export interface RequiredCloudResource {
  readonly construct: string;
  readonly name: string;
  readonly resource: CloudResourcePlan;
}

/** Something the cluster must have or do that the rendered objects do not carry themselves. */
export interface ClusterRequirement {
  readonly construct: string;
  readonly name: string;
  /** What, as one line. */
  readonly what: string;
  /** The planned value (labels, resources waited for, a rule), as JSON. */
  readonly planned: unknown;
  readonly reason: string;
}

/** Everything a rendered topology needs beyond its objects. */
export interface TopologyRequirements {
  readonly cloudResources: readonly RequiredCloudResource[];
  readonly cluster: readonly ClusterRequirement[];
}

/** The requirements of a planned topology (`topology` gives each model service's `clusterName`). */
export function topologyRequirements(topology: TopologyFile, plan: TopologyPlan): TopologyRequirements {
  const cloudResources: RequiredCloudResource[] = [];
  const cluster: ClusterRequirement[] = [];
  for (const [name, pool] of Object.entries(plan.gpuNodePools)) {
    for (const resource of pool.cloudResources)
      cloudResources.push({ construct: "GpuNodePool", name, resource });
    if (pool.spec.mode === "karpenter")
      cluster.push({
        construct: "GpuNodePool",
        name,
        what: "Karpenter 1.x (karpenter.sh/v1) and the node role its NodePool's EC2NodeClass names",
        planned: { nodeRoleName: pool.spec.karpenter?.nodeRoleName },
        reason: "in karpenter mode the pool is a NodePool and EC2NodeClass: Karpenter launches the nodes",
      });
  }
  for (const [name, service] of Object.entries(plan.modelServices)) {
    const props = topology.modelServices?.[name];
    const poolName = props?.nodePool;
    const clusterName =
      props?.clusterName ??
      (poolName !== undefined ? plan.gpuNodePools[poolName]?.spec.clusterName : undefined) ??
      UNKNOWN_CLUSTER;
    const cloud = planModelServiceCloud(service, clusterName);
    for (const resource of cloud.cloudResources)
      cloudResources.push({ construct: "ModelService", name, resource });
    for (const wait of cloud.kubernetesDependsOn)
      cluster.push({
        construct: "ModelService",
        name,
        what: `apply ${wait.object.kind} ${wait.object.name} only after these cloud resources exist`,
        planned: wait.cloudResources,
        reason: wait.reason,
      });
  }
  for (const [name, endpoint] of Object.entries(plan.autoscaledEndpoints)) {
    for (const resource of endpoint.cloudResources)
      cloudResources.push({ construct: "AutoscaledEndpoint", name, resource });
    for (const labels of endpoint.namespaceLabels)
      cluster.push({
        construct: "AutoscaledEndpoint",
        name,
        what: `namespace ${JSON.stringify(labels.namespace)} labelled, before its pods are created`,
        planned: labels.labels,
        reason: labels.reason,
      });
    const rule = endpoint.prometheusAdapterRule;
    if (rule)
      cluster.push({
        construct: "AutoscaledEndpoint",
        name,
        what: `a Prometheus Adapter rule serving the pods metric ${rule.metricName} (under rules: in its config)`,
        planned: rule.rule,
        reason: "the HorizontalPodAutoscaler reads the in-flight metric through the custom metrics API",
      });
  }
  for (const [name, failover] of Object.entries(plan.multiRegionFailovers))
    for (const resource of failover.cloudResources)
      cloudResources.push({ construct: "MultiRegionFailover", name, resource });
  return { cloudResources, cluster };
}

/** The requirements as text lines (no trailing newlines); empty when there are none. */
export function formatRequirements(requirements: TopologyRequirements): string[] {
  const lines: string[] = [];
  if (requirements.cloudResources.length > 0) {
    lines.push(
      "Cloud resources this topology needs and onnxfleet render does not create (Terraform, CloudFormation or",
      'the console must provide them; {"$ref": X, "attribute": A} is attribute A of resource X):',
    );
    for (const { construct, name, resource } of requirements.cloudResources) {
      const extra = {
        ...(resource.dependsOn?.length ? { dependsOn: resource.dependsOn } : {}),
        ...(resource.ignoreChanges?.length ? { ignoreChanges: resource.ignoreChanges } : {}),
      };
      lines.push(
        `  ${construct} ${JSON.stringify(name)}: ${resource.type} ${resource.logicalName} ` +
          `${JSON.stringify(resource.properties)}${Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ""}`,
      );
    }
  }
  if (requirements.cluster.length > 0) {
    lines.push("Cluster requirements of the rendered objects:");
    for (const { construct, name, what, planned, reason } of requirements.cluster)
      lines.push(`  ${construct} ${JSON.stringify(name)}: ${what}: ${JSON.stringify(planned)} (${reason})`);
  }
  return lines;
}
