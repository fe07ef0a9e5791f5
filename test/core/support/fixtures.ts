import type { NodePoolBinding } from "../../../src/plan/types";
import type { ModelServiceProps } from "../../../src/specs/model-service";

export const SHA_A = "9f2c".repeat(16);
export const SHA_B = "0123456789abcdef".repeat(4);

/** A pool of g5.xlarge-like nodes: one GPU each, tainted. */
export const gpuBinding: NodePoolBinding = {
  poolName: "gpu-us-east-1",
  nodeSelector: { "onnxfleet.dev/node-pool": "gpu-us-east-1" },
  tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
  gpuResourceName: "nvidia.com/gpu",
  gpusPerNode: 1,
  gpuMemoryGiB: 24,
};

/** A pool without GPUs. */
export const cpuBinding: NodePoolBinding = {
  poolName: "cpu-pool",
  nodeSelector: { "onnxfleet.dev/node-pool": "cpu-pool" },
  tolerations: [],
  gpusPerNode: 0,
  gpuMemoryGiB: 0,
};

/** The ModelService of README.md's programs (resnet50 on a GPU pool). */
export const resnetProps: ModelServiceProps = {
  model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA_A },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
};

/** The resnet service with two weighted versions (a canary) behind a Gateway. */
export const canaryProps: ModelServiceProps = {
  ...resnetProps,
  model: {
    name: "resnet50",
    versions: [
      { version: 3, uri: "s3://models/resnet50/3/model.onnx", sha256: SHA_A, weightPercent: 90 },
      { version: 4, uri: "s3://models/resnet50/4/model.onnx", sha256: SHA_B, weightPercent: 10 },
    ],
  },
  gateway: { name: "public", namespace: "gateways" },
};

/** An ACM certificate ARN of the right shape. */
export const CERTIFICATE_ARN =
  "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

/** A Pulumi Output as the core sees it: opaque. */
export function pulumiOutput(label: string): object {
  return { __pulumiOutput: true, label };
}

/** A CDKTF string token. */
export function cdktfToken(id: number): string {
  return ["$", `{TfToken[TOKEN.${id}]}`].join("");
}
