/**
 * Maps the core's planned cloud resources onto `@pulumi/aws` classes, one typed function per planned type:
 * `withProviderNames<Args>()` makes the compiler check every planned property name against the class's own
 * args type, and the few names Pulumi spells differently are renamed here (a record's single routing policy
 * is a one-element list in Pulumi).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  type CloudResourceProperties,
  type CloudResourceType,
  typedCloudResource,
  withProviderNames,
} from "../../src/plan/cloud-resource-types";
import type { CloudResourcePlan } from "../../src/plan/types";

/**
 * Creates one planned type. `properties` are the planned ones with every reference already replaced by a
 * Pulumi Output (the names are what the compiler checks here).
 */
type CloudResourceMapping<T extends CloudResourceType> = (
  name: string,
  properties: CloudResourceProperties[T],
  opts: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

/** Every planned cloud resource type and the function that creates it with `@pulumi/aws`. */
export const AWS_RESOURCES: { readonly [T in CloudResourceType]: CloudResourceMapping<T> } = {
  "aws:iam:Role": (name, p, opts) => new aws.iam.Role(name, withProviderNames<aws.iam.RoleArgs>()(p), opts),
  "aws:iam:RolePolicyAttachment": (name, p, opts) =>
    new aws.iam.RolePolicyAttachment(name, withProviderNames<aws.iam.RolePolicyAttachmentArgs>()(p), opts),
  "aws:iam:Policy": (name, p, opts) =>
    new aws.iam.Policy(name, withProviderNames<aws.iam.PolicyArgs>()(p), opts),
  "aws:iam:RolePolicy": (name, p, opts) =>
    new aws.iam.RolePolicy(name, withProviderNames<aws.iam.RolePolicyArgs>()(p), opts),
  "aws:ec2:LaunchTemplate": (name, p, opts) =>
    new aws.ec2.LaunchTemplate(name, withProviderNames<aws.ec2.LaunchTemplateArgs>()(p), opts),
  "aws:eks:NodeGroup": (name, p, opts) =>
    new aws.eks.NodeGroup(name, withProviderNames<aws.eks.NodeGroupArgs>()(p), opts),
  "aws:eks:PodIdentityAssociation": (name, p, opts) =>
    new aws.eks.PodIdentityAssociation(
      name,
      withProviderNames<aws.eks.PodIdentityAssociationArgs>()(p),
      opts,
    ),
  "aws:route53:HealthCheck": (name, p, opts) =>
    new aws.route53.HealthCheck(name, withProviderNames<aws.route53.HealthCheckArgs>()(p), opts),
  // Pulumi takes a record's one routing policy as a one-element list.
  "aws:route53:Record": (name, { failoverRoutingPolicy, latencyRoutingPolicy, ...p }, opts) =>
    new aws.route53.Record(
      name,
      {
        ...withProviderNames<aws.route53.RecordArgs>()(p),
        ...(failoverRoutingPolicy ? { failoverRoutingPolicies: [failoverRoutingPolicy] } : {}),
        ...(latencyRoutingPolicy ? { latencyRoutingPolicies: [latencyRoutingPolicy] } : {}),
      },
      opts,
    ),
  // The alarm's planned `alarmName` is Pulumi's `name`; its `region` input (us-east-1 for Route53
  // health-check alarms) overrides the provider's region for this resource only.
  "aws:cloudwatch:MetricAlarm": (name, { alarmName, ...p }, opts) =>
    new aws.cloudwatch.MetricAlarm(
      name,
      { ...withProviderNames<aws.cloudwatch.MetricAlarmArgs>()(p), name: alarmName },
      opts,
    ),
};

/** The mapping that creates `plan`, or an error naming the unmapped type (a bug in onnxfleet). */
export function cloudMappingOf(plan: CloudResourcePlan): CloudResourceMapping<CloudResourceType> {
  const typed = typedCloudResource(plan);
  if (typed) return AWS_RESOURCES[typed.type] as CloudResourceMapping<CloudResourceType>;
  throw new Error(
    `onnxfleet/pulumi has no mapping for cloud resource type ${plan.type} ("${plan.logicalName}"); ` +
      "this is a bug in onnxfleet, please report it",
  );
}

/** Creates one planned cloud resource, named by the plan's `logicalName`, with `properties` as its args. */
export function createCloudResource(
  plan: CloudResourcePlan,
  properties: Record<string, unknown>,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const create = cloudMappingOf(plan);
  return create(plan.logicalName, properties as unknown as CloudResourceProperties[CloudResourceType], opts);
}
