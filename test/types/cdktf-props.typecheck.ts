/**
 * Type test of the CDKTF props, compiled by `npm run typecheck` (tsconfig.json includes test/), never run.
 *
 * CDKTF tokens are strings, numbers and string lists, so a prop the core resolves at deploy time takes the
 * plain type (`cluster.name` is a string token) and a construct where a value belongs does not compile. Each
 * `@ts-expect-error` fails the type-check when its line stops being an error (TS2578, unused directive).
 */
import type { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import type { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { type TerraformStack, Token } from "cdktf";
import {
  AutoscaledEndpoint,
  GpuNodePool,
  type GpuNodePoolProps,
  ModelService,
  MultiRegionFailover,
} from "onnxfleet/cdktf";

declare const stack: TerraformStack;
declare const cluster: EksCluster;
declare const nodeRole: IamRole;
declare const bucket: S3Bucket;
declare const certificate: AcmCertificate;
declare const zone: Route53Zone;
declare const lb: Lb;

// Valid programs: tokens (strings, numbers, string lists) where the core resolves at deploy time.

const pool = new GpuNodePool(stack, "gpu", {
  clusterName: cluster.name,
  subnetIds: Token.asList(cluster.vpcConfig.subnetIds),
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
  nodeRoleArn: nodeRole.arn,
});
const service = new ModelService(stack, "resnet", {
  model: {
    name: "resnet50",
    uri: `s3://${bucket.bucket}/resnet50/3/model.onnx`,
    sha256: "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
  },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  nodePool: pool,
  clusterName: cluster.name,
});
const endpoint = new AutoscaledEndpoint(stack, "resnet", {
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
new MultiRegionFailover(stack, "global", {
  hostedZoneId: zone.zoneId,
  domainName: `infer.${zone.name}`,
  regions: [
    { region: "us-east-1", endpoint },
    { region: "eu-west-1", endpoint: { hostname: lb.dnsName, port: Token.asNumber(lb.id) } },
  ],
});

// The constructs' own attributes read back as the plain types.
export const names: string[] = [pool.clusterName, service.namespace, endpoint.namespace];

// Mistakes the props' types refuse.

export const props: GpuNodePoolProps = {
  // @ts-expect-error: the cluster construct where its name belongs
  clusterName: cluster,
  // @ts-expect-error: the cluster's vpcConfig object where a list of subnet ids belongs
  subnetIds: cluster.vpcConfig,
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
  // @ts-expect-error: the role construct where its ARN belongs
  nodeRoleArn: nodeRole,
};
new ModelService(stack, "resnet-wrong", {
  model: {
    name: "resnet50",
    // @ts-expect-error: the bucket construct where the model's URI belongs
    uri: bucket,
    sha256: "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
  },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  // @ts-expect-error: the cluster's name where a GpuNodePool belongs
  nodePool: cluster.name,
});
new MultiRegionFailover(stack, "global-wrong", {
  // @ts-expect-error: the zone construct where its id belongs
  hostedZoneId: zone,
  domainName: "infer.example.com",
  regions: [
    // @ts-expect-error: the load balancer construct where its hostname belongs
    { region: "us-east-1", endpoint: { hostname: lb } },
    { region: "eu-west-1", endpoint },
  ],
});
