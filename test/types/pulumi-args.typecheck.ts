/**
 * Type test of the Pulumi args, compiled by `npm run typecheck` (tsconfig.json includes test/), never run.
 *
 * A prop the core resolves at deploy time takes a `pulumi.Input<T>` (an Output of the right type compiles);
 * a resource, or an Output of another type, where a value belongs does not. Each `@ts-expect-error` fails the
 * type-check when its line stops being an error (TS2578, unused directive), so a regression in the args'
 * typing (`Lazy<T> = T | object` let `clusterName: cluster` through) fails the test command.
 */
import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  AutoscaledEndpoint,
  GpuNodePool,
  type GpuNodePoolArgs,
  ModelService,
  type ModelServiceArgs,
  MultiRegionFailover,
} from "onnxfleet/pulumi";

declare const cluster: aws.eks.Cluster;
declare const subnet: aws.ec2.Subnet;
declare const nodeRole: aws.iam.Role;
declare const bucket: aws.s3.Bucket;
declare const certificate: aws.acm.Certificate;
declare const zone: aws.route53.Zone;
declare const namespace: k8s.core.v1.Namespace;
declare const subnetIds: pulumi.Output<string[]>;
declare const token: pulumi.Output<string>;
declare const port: pulumi.Output<number>;

// Valid programs: Outputs and Promises of the right type where the core resolves at deploy time.

const pool = new GpuNodePool("gpu", {
  clusterName: cluster.name,
  subnetIds,
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
  nodeRoleArn: nodeRole.arn,
});
new GpuNodePool("gpu-subnets", {
  clusterName: Promise.resolve("prod"),
  subnetIds: [subnet.id, "subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 0, max: 4 },
  mode: "karpenter",
  karpenter: { nodeRoleName: nodeRole.name },
});
const service = new ModelService("resnet", {
  model: {
    name: "resnet50",
    uri: pulumi.interpolate`s3://${bucket.bucket}/resnet50/3/model.onnx`,
    sha256: "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
  },
  namespace: namespace.metadata.name,
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  nodePool: pool,
  clusterName: cluster.name,
  auth: { tokenSecret: { value: pulumi.secret(token) } },
});
const endpoint = new AutoscaledEndpoint("resnet", {
  service,
  replicas: { min: 2, max: 6 },
  target: { inflightRequestsPerReplica: 8 },
  exposure: {
    type: "nlb",
    scheme: "internet-facing",
    sourceRanges: ["203.0.113.0/24"],
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: { certificateArn: certificate.arn },
  },
});
new MultiRegionFailover("global", {
  hostedZoneId: zone.zoneId,
  domainName: pulumi.interpolate`infer.${zone.name}`,
  regions: [
    { region: "us-east-1", endpoint },
    { region: "eu-west-1", endpoint: { hostname: token, port, protocol: "HTTPS" } },
  ],
});

// The component's own outputs read back as Inputs of the same type.
export const names: pulumi.Input<string>[] = [pool.clusterName, service.namespace, endpoint.namespace];

// Mistakes the args' types refuse.

const args: GpuNodePoolArgs = {
  // @ts-expect-error: the cluster resource where its name belongs
  clusterName: cluster,
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
};
new GpuNodePool("gpu-wrong", {
  // @ts-expect-error: an Output of a number where the cluster's name belongs
  clusterName: cluster.version.apply((version) => Number(version)),
  // @ts-expect-error: one subnet's Output where a list of subnet ids belongs
  subnetIds: subnet.id,
  // @ts-expect-error: the role resource where its ARN belongs
  nodeRoleArn: nodeRole,
  // @ts-expect-error: instance types are checked against the GPU catalog at synth time: no Output
  instanceTypes: pulumi.output(["g5.xlarge"]),
  nodes: { min: 1, max: 4 },
});
new GpuNodePool("gpu-karpenter-wrong", {
  ...args,
  mode: "karpenter",
  // @ts-expect-error: the role resource where its name belongs
  karpenter: { nodeRoleName: nodeRole },
});
const serviceArgs: ModelServiceArgs = {
  model: {
    name: "resnet50",
    // @ts-expect-error: the bucket resource where the model's URI belongs
    uri: bucket,
    sha256: "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
  },
  // @ts-expect-error: the Namespace resource where its name belongs
  namespace,
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  // @ts-expect-error: an Output of the cluster's name where a GpuNodePool belongs
  nodePool: cluster.name,
  // @ts-expect-error: the cluster resource where its name belongs
  clusterName: cluster,
};
new ModelService("resnet-wrong", {
  ...serviceArgs,
  // @ts-expect-error: an Output of a GpuNodePool is not the pool (its binding is needed at synth time)
  nodePool: pulumi.output(pool),
  // @ts-expect-error: an Output of a number where the token belongs
  auth: { tokenSecret: { value: port } },
});
new AutoscaledEndpoint("resnet-wrong", {
  // @ts-expect-error: an Output of a ModelService is not the service (its plan is needed at synth time)
  service: pulumi.output(service),
  replicas: { min: 2, max: 6 },
  target: { inflightRequestsPerReplica: 8 },
  exposure: {
    type: "nlb",
    scheme: "internet-facing",
    sourceRanges: ["203.0.113.0/24"],
    loadBalancerCidrs: ["10.0.0.0/16"],
    // @ts-expect-error: the certificate resource where its ARN belongs
    tls: { certificateArn: certificate },
  },
});
new MultiRegionFailover("global-wrong", {
  // @ts-expect-error: the zone resource where its id belongs
  hostedZoneId: zone,
  domainName: "infer.example.com",
  regions: [
    // @ts-expect-error: an Output of a number where the hostname belongs
    { region: "us-east-1", endpoint: { hostname: port } },
    // @ts-expect-error: an Output of a string where the port belongs
    { region: "eu-west-1", endpoint: { hostname: token, port: token } },
  ],
});
