/**
 * The cloud resource types the core plans, and the properties of each, written once and framework-neutral:
 * names follow the AWS provider's camelCase attributes, one value per attribute (a single nested object where
 * the AWS API has one, e.g. a record's `failoverRoutingPolicy`), lists where the AWS API has lists (a node
 * group's `taints`). Each front-end maps every type with a typed function onto its provider's class, so the
 * compiler checks each property name here against `@pulumi/aws` and `@cdktf/provider-aws` alike.
 */
import type { Lazy } from "../lazy";
import type { CloudResourcePlan, CloudResourceRef } from "./types";

/** A value known at plan time, given by the user (possibly unresolved), or read from another planned resource. */
export type Wired<T> = Lazy<T> | CloudResourceRef;

/**
 * An IAM policy document as an object whose values may be unresolved or references (e.g. a trust policy
 * naming a cluster known only at deployment). Front-ends encode it as JSON: Pulumi takes it as a
 * `PolicyDocument` input, CDKTF through `Fn.jsonencode`.
 */
export interface PolicyDocumentObject {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Readonly<Record<string, unknown>>[];
}

/** `aws:iam:Role`. */
export interface IamRoleProperties {
  readonly namePrefix: string;
  readonly description: string;
  /** The trust policy: JSON text, or a document with values known only at deployment. */
  readonly assumeRolePolicy: string | PolicyDocumentObject;
}

/** `aws:iam:RolePolicyAttachment`. */
export interface IamRolePolicyAttachmentProperties {
  readonly role: Wired<string>;
  readonly policyArn: Wired<string>;
}

/** `aws:iam:Policy`. */
export interface IamPolicyProperties {
  readonly description: string;
  /** JSON policy document. */
  readonly policy: string;
}

/** `aws:iam:RolePolicy` (an inline policy of a role). */
export interface IamRolePolicyProperties {
  readonly role: Wired<string>;
  /** JSON policy document. */
  readonly policy: string;
}

/** `aws:ec2:LaunchTemplate`. */
export interface LaunchTemplateProperties {
  readonly namePrefix: string;
  readonly description: string;
  readonly updateDefaultVersion: boolean;
  readonly metadataOptions: {
    readonly httpEndpoint: string;
    readonly httpTokens: string;
    readonly httpPutResponseHopLimit: number;
    readonly instanceMetadataTags: string;
  };
  readonly blockDeviceMappings: readonly {
    readonly deviceName: string;
    readonly ebs: {
      readonly volumeSize: number;
      readonly volumeType: string;
      /** `"true"`/`"false"`: the AWS provider takes these two as strings. */
      readonly encrypted: string;
      readonly deleteOnTermination: string;
    };
  }[];
}

/** `aws:eks:NodeGroup`. */
export interface EksNodeGroupProperties {
  readonly clusterName: Lazy<string>;
  readonly nodeGroupNamePrefix: string;
  readonly nodeRoleArn: Wired<string>;
  readonly subnetIds: Lazy<readonly Lazy<string>[]> | undefined;
  readonly amiType: string;
  readonly capacityType: string;
  readonly instanceTypes: readonly string[];
  readonly scalingConfig: {
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredSize: number;
  };
  readonly updateConfig: { readonly maxUnavailable: number };
  readonly labels: Readonly<Record<string, string>>;
  /** Kubernetes taints of the nodes (the AWS API's `taints`; Terraform writes one `taint` block each). */
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: string }[];
  /** Tags of the node group: the Cluster Autoscaler's auto-discovery and node-template tags. */
  readonly tags: Readonly<Record<string, string>>;
  readonly launchTemplate: { readonly id: Wired<string>; readonly version: Wired<string> };
}

/** `aws:eks:PodIdentityAssociation`. */
export interface EksPodIdentityAssociationProperties {
  readonly clusterName: Lazy<string> | undefined;
  readonly namespace: Lazy<string>;
  readonly serviceAccount: string;
  readonly roleArn: Wired<string>;
}

/** `aws:route53:HealthCheck`. */
export interface Route53HealthCheckProperties {
  readonly type: string;
  readonly fqdn: Lazy<string>;
  readonly port: Lazy<number>;
  readonly resourcePath: string;
  readonly requestInterval: number;
  readonly failureThreshold: number;
  readonly measureLatency: boolean;
  /** Route53 checker regions that probe (at least three); the ranges the endpoints admit. */
  readonly regions: readonly string[];
  readonly enableSni?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** `aws:route53:Record`, with failover or latency routing (one policy object, as in the Route53 API). */
export interface Route53RecordProperties {
  readonly zoneId: Lazy<string>;
  readonly name: Lazy<string>;
  readonly type: string;
  readonly ttl: number;
  readonly records: readonly Lazy<string>[];
  readonly setIdentifier: string;
  readonly healthCheckId: Wired<string>;
  readonly failoverRoutingPolicy?: { readonly type: "PRIMARY" | "SECONDARY" };
  readonly latencyRoutingPolicy?: { readonly region: string };
}

/**
 * `aws:cloudwatch:MetricAlarm`. `region` is the provider's resource-level region (@pulumi/aws 7, Terraform AWS
 * provider 6): the alarm is created there whatever the provider's own region (Route53 metrics exist only in
 * us-east-1). `alarmName` is the alarm's physical name (Pulumi calls it `name`).
 */
export interface CloudwatchMetricAlarmProperties {
  readonly region: string;
  readonly alarmName: string;
  readonly alarmDescription: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, Wired<string>>>;
  readonly statistic: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly comparisonOperator: string;
  readonly threshold: number;
  readonly treatMissingData: string;
  readonly alarmActions: readonly Lazy<string>[];
  readonly okActions: readonly Lazy<string>[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Properties of each planned cloud resource type, by type. */
export interface CloudResourceProperties {
  "aws:iam:Role": IamRoleProperties;
  "aws:iam:RolePolicyAttachment": IamRolePolicyAttachmentProperties;
  "aws:iam:Policy": IamPolicyProperties;
  "aws:iam:RolePolicy": IamRolePolicyProperties;
  "aws:ec2:LaunchTemplate": LaunchTemplateProperties;
  "aws:eks:NodeGroup": EksNodeGroupProperties;
  "aws:eks:PodIdentityAssociation": EksPodIdentityAssociationProperties;
  "aws:route53:HealthCheck": Route53HealthCheckProperties;
  "aws:route53:Record": Route53RecordProperties;
  "aws:cloudwatch:MetricAlarm": CloudwatchMetricAlarmProperties;
}

/** Every cloud resource type the core may plan. */
export const CLOUD_RESOURCE_TYPES = [
  "aws:iam:Role",
  "aws:iam:RolePolicyAttachment",
  "aws:iam:Policy",
  "aws:iam:RolePolicy",
  "aws:ec2:LaunchTemplate",
  "aws:eks:NodeGroup",
  "aws:eks:PodIdentityAssociation",
  "aws:route53:HealthCheck",
  "aws:route53:Record",
  "aws:cloudwatch:MetricAlarm",
] as const satisfies readonly (keyof CloudResourceProperties)[];

/** A planned cloud resource type. */
export type CloudResourceType = (typeof CLOUD_RESOURCE_TYPES)[number];

/** A planned cloud resource of type `T`, its properties typed. */
export type PlannedCloudResource<T extends CloudResourceType = CloudResourceType> = {
  [K in T]: CloudResourcePlan<CloudResourceProperties[K]> & { readonly type: K };
}[T];

/**
 * `plan` with its properties typed by its type, or undefined for a type the core never plans (a front-end
 * then reports a bug in onnxfleet rather than guessing).
 */
export function typedCloudResource(plan: CloudResourcePlan): PlannedCloudResource | undefined {
  return (CLOUD_RESOURCE_TYPES as readonly string[]).includes(plan.type)
    ? (plan as unknown as PlannedCloudResource)
    : undefined;
}

/**
 * Builds a typed planned resource: the compiler checks `properties` against the type's declared properties,
 * so a planner cannot plan a field that the front-ends' typed mappings do not know.
 */
export function plannedCloudResource<T extends CloudResourceType>(
  resource: CloudResourcePlan<CloudResourceProperties[T]> & { readonly type: T },
): CloudResourcePlan {
  return resource as unknown as CloudResourcePlan;
}

/**
 * Checks property names at compile time: resolves to `unknown` (accepting `P`) when every property name of
 * `P`, at any depth, is a property of the provider's argument type `C`, and gives each stray name the type
 * `never` otherwise, so `p: P & PropertyNamesIn<P, C>` fails to compile naming the stray property. Values are
 * not compared (references and tokens differ per framework); a union `C` (a value or a framework reference)
 * accepts `P` when one of its members does.
 */
export type PropertyNamesIn<P, C> = P extends readonly (infer E)[]
  ? C extends readonly (infer F)[]
    ? readonly PropertyNamesIn<E, F>[]
    : never
  : P extends object
    ? C extends object
      ? { [K in keyof P]: K extends keyof C ? PropertyNamesIn<P[K], NonNullable<C[K]>> : never }
      : never
    : unknown;

/**
 * `properties` as the provider's argument type `C`, once the compiler has checked every property name
 * against it (see {@link PropertyNamesIn}). A front-end's typed mapping of one planned type calls it.
 */
export function withProviderNames<C>() {
  return <P>(properties: P & PropertyNamesIn<P, C>): C => properties as unknown as C;
}
