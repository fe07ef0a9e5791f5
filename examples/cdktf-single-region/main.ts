// One ONNX model on a GPU node pool of one existing EKS cluster, autoscaled on in-flight requests and exposed
// through an internet-facing NLB. `cdktf deploy`; the kubeconfig context must reach the cluster at plan time.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { App, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { AutoscaledEndpoint, GpuNodePool, ModelService } from "onnxfleet/cdktf";

export class SingleRegionStack extends TerraformStack {
  readonly endpoint: AutoscaledEndpoint;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Default (unaliased) providers: every child uses them without a `providers` prop.
    new AwsProvider(this, "aws", { region: "us-east-1" });
    new KubernetesProvider(this, "k8s", { configPath: "~/.kube/config", configContext: "prod-use1" });

    const pool = new GpuNodePool(this, "gpu", {
      clusterName: "prod-use1",
      subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
      instanceTypes: ["g5.xlarge"],
      nodes: { min: 1, max: 4 },
      // NVIDIA's DCGM exporter: GPU utilisation and memory for the dashboard and the GPU-saturation alert.
      dcgmExporter: { enabled: true },
    });
    const service = new ModelService(this, "resnet", {
      model: {
        name: "resnet50",
        uri: "s3://models/resnet50/3/model.onnx",
        sha256: "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
      },
      resources: { gpu: 1, cpu: "2", memory: "8Gi" },
      nodePool: pool,
      // Every inference needs the bearer token (`--var authToken=...`), kept in a Secret created here.
      auth: {
        tokenSecret: {
          value: new TerraformVariable(this, "authToken", { type: "string", sensitive: true }).stringValue,
        },
      },
    });
    this.endpoint = new AutoscaledEndpoint(this, "resnet", {
      service,
      replicas: { min: 1, max: 4 },
      target: { inflightRequestsPerReplica: 8 },
      exposure: {
        type: "nlb",
        scheme: "internet-facing",
        sourceRanges: ["203.0.113.0/24"],
        loadBalancerCidrs: ["10.0.0.0/16"],
        tls: {
          certificateArn:
            "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        },
      },
    });
    new TerraformOutput(this, "hostname", { value: this.endpoint.hostname });
  }
}

const app = new App();
new SingleRegionStack(app, "inference");
app.synth();
