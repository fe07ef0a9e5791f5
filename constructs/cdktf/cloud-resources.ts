/**
 * Maps the core's planned cloud resources onto `@cdktf/provider-aws` classes, one typed function per planned
 * type: `withProviderNames<Config>()` makes the compiler check every planned property name against the
 * provider's own config type, and the few names Terraform spells differently are renamed here.
 */
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { EksNodeGroupConfig } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import {
  EksPodIdentityAssociation,
  type EksPodIdentityAssociationConfig,
} from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamPolicy, type IamPolicyConfig } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole, type IamRoleConfig } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy, type IamRolePolicyConfig } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  IamRolePolicyAttachment,
  type IamRolePolicyAttachmentConfig,
} from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate, type LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import {
  Route53HealthCheck,
  type Route53HealthCheckConfig,
} from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record, type Route53RecordConfig } from "@cdktf/provider-aws/lib/route53-record";
import { Fn, type TerraformMetaArguments, type TerraformResource, Token } from "cdktf";
import type { Construct } from "constructs";
import {
  type CloudResourceProperties,
  type CloudResourceType,
  type PlannedCloudResource,
  typedCloudResource,
  withProviderNames,
} from "../../src/plan/cloud-resource-types";
import type { CloudResourcePlan } from "../../src/plan/types";

/**
 * Creates one planned type. `properties` are the planned ones with every reference already replaced by a
 * CDKTF token (the names are what the compiler checks here).
 */
type CloudResourceMapping<T extends CloudResourceType> = (
  scope: Construct,
  id: string,
  properties: CloudResourceProperties[T],
  meta: TerraformMetaArguments,
) => TerraformResource;

/** Every planned cloud resource type and the function that creates it with `@cdktf/provider-aws`. */
export const AWS_RESOURCES: { readonly [T in CloudResourceType]: CloudResourceMapping<T> } = {
  // A trust policy with values known only at deployment is an object: Terraform encodes it.
  "aws:iam:Role": (scope, id, { assumeRolePolicy, ...p }, meta) =>
    new IamRole(scope, id, {
      ...withProviderNames<IamRoleConfig>()(p),
      assumeRolePolicy:
        typeof assumeRolePolicy === "string" ? assumeRolePolicy : Fn.jsonencode(assumeRolePolicy),
      ...meta,
    }),
  "aws:iam:RolePolicyAttachment": (scope, id, p, meta) =>
    new IamRolePolicyAttachment(scope, id, {
      ...withProviderNames<IamRolePolicyAttachmentConfig>()(p),
      ...meta,
    }),
  // `${*}` (a literal "*" in an S3 key) is an IAM policy variable, not a Terraform template: escape it.
  "aws:iam:Policy": (scope, id, { policy, ...p }, meta) =>
    new IamPolicy(scope, id, {
      ...withProviderNames<IamPolicyConfig>()(p),
      policy: Token.isUnresolved(policy) ? policy : policy.replace(/\$\{/g, "$${"),
      ...meta,
    }),
  "aws:iam:RolePolicy": (scope, id, p, meta) =>
    new IamRolePolicy(scope, id, { ...withProviderNames<IamRolePolicyConfig>()(p), ...meta }),
  "aws:ec2:LaunchTemplate": (scope, id, p, meta) =>
    new LaunchTemplate(scope, id, { ...withProviderNames<LaunchTemplateConfig>()(p), ...meta }),
  // Terraform writes the AWS API's `taints` list as repeated `taint` blocks.
  "aws:eks:NodeGroup": (scope, id, { taints, ...p }, meta) =>
    new EksNodeGroup(scope, id, {
      ...withProviderNames<EksNodeGroupConfig>()(p),
      taint: withProviderNames<EksNodeGroupConfig["taint"]>()(taints),
      ...meta,
    }),
  "aws:eks:PodIdentityAssociation": (scope, id, p, meta) =>
    new EksPodIdentityAssociation(scope, id, {
      ...withProviderNames<EksPodIdentityAssociationConfig>()(p),
      ...meta,
    }),
  "aws:route53:HealthCheck": (scope, id, p, meta) =>
    new Route53HealthCheck(scope, id, { ...withProviderNames<Route53HealthCheckConfig>()(p), ...meta }),
  "aws:route53:Record": (scope, id, p, meta) =>
    new Route53Record(scope, id, { ...withProviderNames<Route53RecordConfig>()(p), ...meta }),
  // Its `region` argument (us-east-1 for Route53 health-check alarms) overrides the provider's region.
  "aws:cloudwatch:MetricAlarm": (scope, id, p, meta) =>
    new CloudwatchMetricAlarm(scope, id, { ...withProviderNames<CloudwatchMetricAlarmConfig>()(p), ...meta }),
};

/** `plan` typed by its type, or an error naming the unmapped type (a bug in onnxfleet). */
export function plannedTypeOf(plan: CloudResourcePlan): PlannedCloudResource {
  const typed = typedCloudResource(plan);
  if (typed) return typed;
  throw new Error(
    `onnxfleet/cdktf has no mapping for cloud resource type ${plan.type} ("${plan.logicalName}"); ` +
      "this is a bug in onnxfleet, please report it",
  );
}

/** Creates one planned cloud resource with id `logicalName`, `properties` (references wired) and `meta`. */
export function createCloudResource(
  scope: Construct,
  plan: CloudResourcePlan,
  properties: Record<string, unknown>,
  meta: TerraformMetaArguments,
): TerraformResource {
  const typed = plannedTypeOf(plan);
  const create = AWS_RESOURCES[typed.type] as CloudResourceMapping<CloudResourceType>;
  return create(
    scope,
    plan.logicalName,
    properties as unknown as CloudResourceProperties[CloudResourceType],
    meta,
  );
}

/**
 * A planned property path (dotted, camelCase, e.g. `scalingConfig.desiredSize`) as Terraform's
 * `ignore_changes` names it: snake_case, nested blocks indexed (`scaling_config[0].desired_size`), since the
 * AWS provider's nested blocks are lists of at most one.
 */
export function terraformAttributePath(path: string): string {
  const segments = path.split(".").map((segment) => segment.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  return segments.map((segment, i) => (i < segments.length - 1 ? `${segment}[0]` : segment)).join(".");
}
