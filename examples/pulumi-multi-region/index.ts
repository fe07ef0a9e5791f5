// One ONNX model served on GPUs from EKS clusters in several regions, autoscaled on in-flight requests,
// behind one DNS name that fails over between regions. `pulumi up` with the config in Pulumi.yaml.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsRegion } from "onnxfleet";
import { AutoscaledEndpoint, GpuNodePool, ModelService, MultiRegionFailover } from "onnxfleet/pulumi";

interface RegionConfig {
  /** AWS region of the cluster, e.g. us-east-1. */
  region: AwsRegion;
  /** Name of the existing EKS cluster. */
  clusterName: string;
  /** Private subnets for the GPU nodes. */
  subnetIds: string[];
  /** CIDR of the cluster's VPC: the NLB reaches the pods from its addresses there. */
  vpcCidr: string;
  /** ARN of the ACM certificate for `domainName` in this region (the NLB terminates TLS with it). */
  certificateArn: string;
}

const config = new pulumi.Config();
const regions = config.requireObject<RegionConfig[]>("regions");
/** Client ranges allowed to call the model, e.g. your offices' and partners' egress ranges. */
const clientRanges = config.requireObject<string[]>("clientRanges");
/** The bearer token clients send (`pulumi config set --secret authToken $(openssl rand -hex 32)`). */
const authToken = config.requireSecret("authToken");

/** A kubeconfig for an EKS cluster that authenticates with `aws eks get-token` (AWS CLI v2). */
function kubeconfigOf(cluster: aws.eks.GetClusterResult, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.endpoint,
          "certificate-authority-data": cluster.certificateAuthorities?.[0]?.data,
        },
      },
    ],
    contexts: [{ name: cluster.name, context: { cluster: cluster.name, user: cluster.name } }],
    "current-context": cluster.name,
    users: [
      {
        name: cluster.name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", cluster.name, "--region", region],
          },
        },
      },
    ],
  });
}

const regional = regions.map(({ region, clusterName, subnetIds, vpcCidr, certificateArn }) => {
  const awsProvider = new aws.Provider(`aws-${region}`, { region });
  const cluster = aws.eks.getClusterOutput({ name: clusterName }, { provider: awsProvider });
  const providers = {
    aws: awsProvider,
    kubernetes: new k8s.Provider(`k8s-${region}`, {
      kubeconfig: cluster.apply((c) => kubeconfigOf(c, region)),
    }),
  };

  const pool = new GpuNodePool(
    `gpu-${region}`,
    {
      clusterName: cluster.name,
      subnetIds,
      instanceTypes: ["g5.xlarge", "g6.xlarge"],
      nodes: { min: 1, max: 8 },
    },
    { providers },
  );
  const service = new ModelService(
    `resnet-${region}`,
    {
      model: { name: "resnet50", uri: config.require("modelUri"), sha256: config.require("modelSha256") },
      resources: { gpu: 1, cpu: "2", memory: "8Gi" },
      nodePool: pool,
      batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
      // Every inference needs `Authorization: Bearer <token>`; the token lives in a Secret created here.
      auth: { tokenSecret: { value: authToken } },
    },
    { providers },
  );
  const endpoint = new AutoscaledEndpoint(
    `resnet-${region}`,
    {
      service,
      replicas: { min: 2, max: 8 }, // 8 pods of 1 GPU fill the pool's 8 nodes (nodes.max)
      target: { inflightRequestsPerReplica: 8 },
      exposure: {
        type: "nlb",
        scheme: "internet-facing",
        // Who may connect: the client ranges, plus Route53's health checkers (else failover never happens).
        sourceRanges: clientRanges,
        admitRoute53HealthCheckers: true,
        // The pods admit only the load balancer's own addresses.
        loadBalancerCidrs: [vpcCidr],
        // TLS 1.3/1.2 on 443 with the ACM certificate; Route53 then checks over HTTPS.
        tls: { certificateArn },
      },
    },
    { providers },
  );
  return { region, endpoint, providers };
});

const failover = new MultiRegionFailover(
  "resnet-global",
  {
    hostedZoneId: config.require("hostedZoneId"),
    domainName: config.require("domainName"),
    routing: "failover",
    regions: regional.map(({ region, endpoint }) => ({ region, endpoint })),
    healthCheck: { path: "/v2/health/ready", intervalSeconds: 10, failureThreshold: 3 },
    maxFailoverSeconds: 60,
  },
  // Route53 is global: any region's provider will do.
  { providers: regional[0] ? { aws: regional[0].providers.aws } : {} },
);

/** The URL clients call. */
export const url = pulumi.interpolate`https://${failover.domainName}/v2/models/resnet50/infer`;
/** Each region's load balancer. */
export const regionalHostnames = Object.fromEntries(
  regional.map(({ region, endpoint }) => [region, endpoint.hostname]),
);
/** Route53 health check of each region. */
export const healthCheckIds = failover.healthCheckIds;
/** Worst-case seconds from a region failing to clients reaching the other: interval x threshold + TTL. */
export const worstCaseFailoverSeconds = failover.worstCaseFailoverSeconds;
