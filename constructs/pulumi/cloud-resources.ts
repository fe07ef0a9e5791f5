/**
 * Maps the core's planned cloud resources (`CloudResourcePlan`: a type such as `aws:eks:NodeGroup`, a logical
 * name and provider inputs) onto `@pulumi/aws` classes. Properties are passed through unchanged.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CloudResourcePlan } from "../../src/plan/types";

/** A `@pulumi/aws` resource class: `new (name, args, opts)`. */
type CloudResourceClass = new (
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the properties' shape is the core's plan, tested there.
  args: any,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

/** Planned cloud resource types and the `@pulumi/aws` class that creates each. */
export const AWS_CLASSES: Readonly<Record<string, CloudResourceClass>> = {
  "aws:eks:NodeGroup": aws.eks.NodeGroup,
  "aws:eks:PodIdentityAssociation": aws.eks.PodIdentityAssociation,
  "aws:ec2:LaunchTemplate": aws.ec2.LaunchTemplate,
  "aws:iam:Role": aws.iam.Role,
  "aws:iam:RolePolicyAttachment": aws.iam.RolePolicyAttachment,
  "aws:iam:Policy": aws.iam.Policy,
  "aws:iam:RolePolicy": aws.iam.RolePolicy,
  "aws:route53:HealthCheck": aws.route53.HealthCheck,
  "aws:route53:Record": aws.route53.Record,
};

/** The class that creates `plan`, or an error naming the unmapped type (a bug in onnxfleet). */
export function cloudClassOf(plan: CloudResourcePlan): CloudResourceClass {
  const found = AWS_CLASSES[plan.type];
  if (found) return found;
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
  const ResourceClass = cloudClassOf(plan);
  return new ResourceClass(plan.logicalName, properties, opts);
}
