// One ONNX model served on GPUs from EKS clusters in several regions, autoscaled on in-flight requests,
// behind one DNS name that fails over between regions. `cdktf deploy` with the context in cdktf.json and
// `--var hostedZoneId=Z... --var domainName=infer.example.com --var authToken=$(openssl rand -hex 32)`. The clusters exist already (another stack or
// an earlier apply): kubernetes_manifest reads the cluster's API at plan time.
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { App, Fn, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import type { AwsRegion } from "onnxfleet";
import { AutoscaledEndpoint, GpuNodePool, ModelService, MultiRegionFailover } from "onnxfleet/cdktf";

/** One region of the deployment (cdktf.json `context.regions`). */
export interface RegionConfig {
  /** AWS region of the cluster, e.g. us-east-1. */
  readonly region: AwsRegion;
  /** Name of the existing EKS cluster. */
  readonly clusterName: string;
  /** Private subnets for the GPU nodes. */
  readonly subnetIds: string[];
  /** CIDR of the cluster's VPC: the NLB reaches the pods from its addresses there. */
  readonly vpcCidr: string;
  /** ACM certificate of the domain name in this region: the NLB terminates TLS with it. */
  readonly certificateArn: string;
}

/** The model every region serves (cdktf.json `context.model`). */
export interface ModelConfig {
  readonly name: string;
  readonly uri: string;
  readonly sha256: string;
}

/** An AWS provider for the region and a Kubernetes provider for its cluster, authenticating with the AWS CLI. */
function regionProviders(scope: Construct, { region, clusterName }: RegionConfig) {
  const aws = new AwsProvider(scope, `aws-${region}`, { region, alias: region });
  const cluster = new DataAwsEksCluster(scope, `cluster-${region}`, { name: clusterName, provider: aws });
  const kubernetes = new KubernetesProvider(scope, `k8s-${region}`, {
    alias: region,
    host: cluster.endpoint,
    clusterCaCertificate: Fn.base64decode(cluster.certificateAuthority.get(0).data),
    exec: [
      {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region],
      },
    ],
  });
  return { aws, kubernetes };
}

export class InferenceStack extends TerraformStack {
  readonly failover: MultiRegionFailover;

  constructor(scope: Construct, id: string, regions: readonly RegionConfig[], model: ModelConfig) {
    super(scope, id);
    const hostedZoneId = new TerraformVariable(this, "hostedZoneId", { type: "string" });
    const domainName = new TerraformVariable(this, "domainName", { type: "string" });
    // The bearer token clients send: sensitive, so Terraform never prints it.
    const authToken = new TerraformVariable(this, "authToken", { type: "string", sensitive: true });

    const endpoints = regions.map((config) => {
      const { region, clusterName, subnetIds, vpcCidr, certificateArn } = config;
      const providers = regionProviders(this, config);
      const pool = new GpuNodePool(this, `gpu-${region}`, {
        clusterName,
        subnetIds,
        instanceTypes: ["g5.xlarge", "g6.xlarge"],
        nodes: { min: 1, max: 8 },
        providers,
      });
      const service = new ModelService(this, `resnet-${region}`, {
        model,
        resources: { gpu: 1, cpu: "2", memory: "8Gi" },
        nodePool: pool,
        batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
        auth: { tokenSecret: { value: authToken.stringValue } },
        providers,
      });
      // The endpoint may share its service's name: its construct id then becomes `resnet-<region>-endpoint`.
      return new AutoscaledEndpoint(this, `resnet-${region}`, {
        service,
        replicas: { min: 2, max: 8 }, // 8 pods of 1 GPU fill the pool's 8 nodes (nodes.max)
        target: { inflightRequestsPerReplica: 8 },
        // Closed by default (docs/security.md): the client ranges and Route53's checkers, TLS with ACM.
        exposure: {
          type: "nlb",
          scheme: "internet-facing",
          sourceRanges: ["203.0.113.0/24"],
          admitRoute53HealthCheckers: true,
          loadBalancerCidrs: [vpcCidr],
          tls: { certificateArn },
        },
        providers,
      });
    });

    // Route53 is global: one AWS provider, in any region.
    const globalAws = new AwsProvider(this, "aws-global", { region: "us-east-1", alias: "global" });
    this.failover = new MultiRegionFailover(this, "resnet-global", {
      hostedZoneId: hostedZoneId.stringValue,
      domainName: domainName.stringValue,
      routing: "failover",
      regions: endpoints.map((endpoint, i) => ({ region: (regions[i] as RegionConfig).region, endpoint })),
      healthCheck: { path: "/v2/health/ready", intervalSeconds: 10, failureThreshold: 3 },
      maxFailoverSeconds: 60,
      providers: { aws: globalAws },
    });
    new TerraformOutput(this, "worstCaseFailoverSeconds", { value: this.failover.worstCaseFailoverSeconds });
  }
}

const app = new App();
new InferenceStack(
  app,
  "inference",
  app.node.getContext("regions") as RegionConfig[],
  app.node.getContext("model") as ModelConfig,
);
app.synth();
