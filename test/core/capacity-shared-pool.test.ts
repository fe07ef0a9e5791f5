// #19 item 3: endpoints that derive their replicas from a profile and share one GPU node pool are checked
// together against the pool's nodes.max (the sum of their derived nodes), not each alone. The check is #15's
// one pool ledger (src/capacity/pool-claims.ts, fitOnPool), fed with the derived replicas.max.
import { describe, expect, it } from "vitest";
import { ERROR_CODES, OnnxfleetError } from "../../src/errors";
import { planTopology, type TopologyFile } from "../../src/render";
import { SHA_A } from "./support/fixtures";
import { G5_PROFILE } from "./support/profile-fixture";

/** Two endpoints on pool "gpu" (g5.xlarge: 1 GPU per node) of `maxNodes` nodes, peaks 1000 and 500 req/s. */
function shared(maxNodes: number): TopologyFile {
  const service = {
    nodePool: "gpu",
    model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA_A },
    resources: { gpu: 1, cpu: "2", memory: "8Gi" },
    batching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
  };
  const endpoint = (name: string, peakRequestsPerSecond: number) => ({
    service: name,
    capacity: { profile: G5_PROFILE, peakRequestsPerSecond, p99Ms: 70, baselineRequestsPerSecond: 100 },
  });
  return {
    gpuNodePools: {
      gpu: {
        clusterName: "prod",
        subnetIds: ["subnet-0a1b2c3d4e5f60718"],
        instanceTypes: ["g5.xlarge"],
        nodes: { min: 1, max: maxNodes },
      },
    },
    modelServices: { big: service, small: service },
    autoscaledEndpoints: { big: endpoint("big", 1000), small: endpoint("small", 500) },
  };
}

describe("endpoints with capacity sharing one pool", () => {
  // Per replica 160 req/s within p99 70 ms (batch 8, 2 ms). replicas.max = ceil(peak x 1.2 / 160):
  // big ceil(1200 / 160) = 8, small ceil(600 / 160) = 4; one GPU each, one per g5.xlarge node: 12 nodes.
  it("fit when the pool holds the sum of their derived nodes (12 of 12)", () => {
    const plan = planTopology(shared(12));
    expect(plan.autoscaledEndpoints.big!.capacity!.replicas.max).toBe(8);
    expect(plan.autoscaledEndpoints.small!.capacity!.replicas.max).toBe(4);
    expect(plan.autoscaledEndpoints.big!.capacity!.nodes!.max).toBe(8);
    expect(plan.autoscaledEndpoints.small!.capacity!.nodes!.max).toBe(4);
  });

  it("are refused when each fits alone (8 and 4 of 10 nodes) but not together (12)", () => {
    let error: unknown;
    try {
      planTopology(shared(10));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(OnnxfleetError);
    const message = (error as OnnxfleetError).message;
    expect(message).toContain(
      'AutoscaledEndpoint "small": replicas.max (4) x 1 model version(s) x resources.gpu (1) of ModelService ' +
        '"small" shares node pool "gpu" with AutoscaledEndpoint "big" (8 pod(s) of 1 GPU(s)): together 12 pod(s), ' +
        "12 GPUs, which need 12 node(s)",
    );
    expect(message).toContain("raise the pool's nodes.max to 12");
    expect(JSON.stringify(error)).toContain(ERROR_CODES.POOL_GPUS_EXCEEDED);
  });
});
