// One ONNX model served on GPUs in one EKS cluster, autoscaled on in-flight requests, behind an internal
// NLB. Uses the default providers: `aws:region` from the stack config, the cluster from your kubeconfig.
import * as pulumi from "@pulumi/pulumi";
import { AutoscaledEndpoint, GpuNodePool, ModelService } from "onnxfleet/pulumi";

const config = new pulumi.Config();

const pool = new GpuNodePool("gpu", {
  clusterName: config.require("clusterName"),
  subnetIds: config.requireObject<string[]>("subnetIds"),
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
  capacityType: "ON_DEMAND",
  // NVIDIA's DCGM exporter: GPU utilisation and memory for the dashboard and the GPU-saturation alert.
  dcgmExporter: { enabled: true },
});

const service = new ModelService("resnet", {
  model: { name: "resnet50", uri: config.require("modelUri"), sha256: config.require("modelSha256") },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  nodePool: pool,
  batching: { maxBatchSize: 16, maxQueueDelayMs: 2 },
});

const endpoint = new AutoscaledEndpoint("resnet", {
  service,
  replicas: { min: 2, max: 4 }, // at most 4 pods of 1 GPU: the pool's nodes.max x 1 GPU per g5.xlarge
  target: { inflightRequestsPerReplica: 8 },
  // Internal: reachable inside the VPC only; clients there (and the pods' NetworkPolicy) are limited to it.
  exposure: { type: "nlb", scheme: "internal", loadBalancerCidrs: [config.require("vpcCidr")] },
});

/** The NLB's DNS name (reachable inside the VPC). */
export const hostname = endpoint.hostname;
/** The in-cluster Service name. */
export const serviceName = endpoint.serviceName;
/** The EKS node group of the GPU nodes. */
export const nodeGroupName = pool.nodeGroupName;
/** The IAM role the pods use to read the model (EKS Pod Identity). */
export const podRoleArn = service.podRoleArn;
