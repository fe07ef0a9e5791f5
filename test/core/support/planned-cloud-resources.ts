/**
 * One planned cloud resource of every type, taken from the real planners (a managed GpuNodePool, a
 * ModelService reading from S3 with its Pod Identity, a two-region failover), so front-end mapping tests map
 * what the core actually plans.
 */

import { CLOUD_RESOURCE_TYPES, type CloudResourceType } from "../../../src/plan/cloud-resource-types";
import { planGpuNodePool } from "../../../src/plan/gpu-node-pool";
import { planModelPodIdentity } from "../../../src/plan/model-pod-identity";
import { planModelService } from "../../../src/plan/model-service";
import { planMultiRegionFailover } from "../../../src/plan/multi-region-failover";
import { type CloudResourcePlan, cloudRef } from "../../../src/plan/types";
import { resnetProps } from "./fixtures";

/** Every cloud resource the planners plan for a typical two-region program, in planned order. */
export function plannedCloudResources(): CloudResourcePlan[] {
  const pool = planGpuNodePool("gpu", {
    clusterName: "prod-use1",
    subnetIds: ["subnet-0a1b2c3d4e5f60718"],
    instanceTypes: ["g5.xlarge"],
    nodes: { min: 1, max: 4 },
  });
  const service = planModelService("resnet", resnetProps, pool.binding);
  const failover = planMultiRegionFailover("global", {
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    domainName: "infer.example.com",
    routing: "failover",
    regions: [
      { region: "us-east-1", endpoint: { hostname: "a.elb.us-east-1.amazonaws.com" } },
      { region: "eu-west-1", endpoint: { hostname: "b.elb.eu-west-1.amazonaws.com" } },
    ],
  });
  return [
    ...pool.cloudResources,
    ...service.cloudResources,
    ...planModelPodIdentity(service, pool.spec.clusterName),
    ...failover.cloudResources,
  ];
}

/** An inline role policy: mapped by both front-ends, though no planner plans one today. */
const ROLE_POLICY: CloudResourcePlan = {
  type: "aws:iam:RolePolicy",
  logicalName: "inline",
  properties: { role: cloudRef("gpu-node-role", "name"), policy: "{}" },
};

/** The first planned resource of each type. */
export function oneOfEachType(): Map<CloudResourceType, CloudResourcePlan> {
  const byType = new Map<CloudResourceType, CloudResourcePlan>();
  for (const plan of [...plannedCloudResources(), ROLE_POLICY]) {
    const type = plan.type as CloudResourceType;
    if (!byType.has(type)) byType.set(type, plan);
  }
  const missing = CLOUD_RESOURCE_TYPES.filter((type) => !byType.has(type));
  if (missing.length > 0) throw new Error(`no planned example of ${missing.join(", ")}`);
  return byType;
}
