/**
 * #15 item 7: nothing adds nodes beyond a pool's nodes.max, so an HPA asking for more GPU pods than the pool
 * holds leaves them Pending (Cluster Autoscaler: a node group never grows past its max size,
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md). Pods, per model version,
 * times the GPUs per pod are refused at synth time when the pool at nodes.max cannot hold them, alone or
 * summed over every construct on the pool. GPUs per node come from the instance catalog (src/catalog).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimEndpointPoolGpus, claimServicePoolGpus } from "../../src/capacity/pool-claims";
import { ERROR_CODES, ValidationError } from "../../src/errors";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelService } from "../../src/plan/model-service";
import { canaryProps, resnetProps } from "./support/fixtures";

const inCluster = { target: { inflightRequestsPerReplica: 8 }, exposure: { type: "clusterIP" as const } };

function pool(instanceTypes: string[], max: number) {
  return planGpuNodePool("gpu", {
    clusterName: "prod",
    subnetIds: ["subnet-0a1b2c3d4e5f60718"],
    instanceTypes,
    nodes: { min: 1, max },
  }).binding;
}

function thrown(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("one endpoint's replicas.max against its pool at nodes.max", () => {
  const service = planModelService("resnet", resnetProps, pool(["g5.xlarge"], 8));

  it("refuses replicas.max 20 of 1 GPU on 8 one-GPU nodes, naming construct, prop, arithmetic and fix", () => {
    const error = thrown(() =>
      planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 2, max: 20 } }, service),
    );
    expect(error.code).toBe(ERROR_CODES.INVALID_PROPS);
    expect(error.problems).toEqual([
      expect.objectContaining({ path: "replicas.max", code: ERROR_CODES.POOL_GPUS_EXCEEDED }),
    ]);
    expect(error.message).toBe(
      'AutoscaledEndpoint "resnet": replicas.max (20) x 1 model version(s) x resources.gpu (1) of ModelService ' +
        '"resnet" = 20 GPUs in 20 pod(s), which need 20 node(s) of node pool "gpu"; it holds only nodes.max (8) ' +
        "x 1 GPU(s) per node (g5.xlarge) = 8 GPUs, 8 pod(s) of 1 GPU(s), so the pods beyond stay Pending; " +
        "lower replicas.max to 8 or raise the pool's nodes.max to 20",
    );
  });

  it("accepts replicas.max equal to what the pool holds (8), and refuses one more", () => {
    expect(() =>
      planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 2, max: 8 } }, service),
    ).not.toThrow();
    expect(
      thrown(() => planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 2, max: 9 } }, service))
        .problems[0]?.code,
    ).toBe(ERROR_CODES.POOL_GPUS_EXCEEDED);
  });

  it("counts every model version's Deployment: 2 versions x replicas.max 5 exceed 8 nodes", () => {
    const twoVersions = planModelService("resnet", canaryProps, pool(["g5.xlarge"], 8));
    const error = thrown(() =>
      planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 1, max: 5 } }, twoVersions),
    );
    expect(error.message).toContain("replicas.max (5) x 2 model version(s)");
    expect(error.message).toContain("lower replicas.max to 4");
    expect(() =>
      planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 1, max: 4 } }, twoVersions),
    ).not.toThrow();
  });

  it("packs pods per node: 3-GPU pods on 4-GPU g5.12xlarge nodes go one per node, 2-GPU pods two", () => {
    const big = pool(["g5.12xlarge"], 8);
    const threeGpus = planModelService("resnet", { ...resnetProps, resources: { gpu: 3 } }, big);
    const error = thrown(() =>
      planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 1, max: 9 } }, threeGpus),
    );
    expect(error.message).toContain("27 GPUs in 9 pod(s), which need 9 node(s)");
    expect(error.message).toContain("nodes.max (8) x 4 GPU(s) per node (g5.12xlarge) = 32 GPUs, 8 pod(s)");
    const twoGpus = planModelService("resnet", { ...resnetProps, resources: { gpu: 2 } }, big);
    expect(() =>
      planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 1, max: 16 } }, twoGpus),
    ).not.toThrow();
  });

  it("counts on the smallest instance type of a mixed pool (a node may be any of them)", () => {
    const mixed = planModelService("resnet", resnetProps, pool(["g5.12xlarge", "g5.xlarge"], 4));
    expect(
      thrown(() => planAutoscaledEndpoint("resnet", { ...inCluster, replicas: { min: 1, max: 5 } }, mixed))
        .message,
    ).toContain("nodes.max (4) x 1 GPU(s) per node (g5.12xlarge, g5.xlarge) = 4 GPUs");
  });

  it("refuses a ModelService's fixed replicas past the pool too, with the same arithmetic", () => {
    const error = thrown(() =>
      planModelService("resnet", { ...resnetProps, replicas: 5 }, pool(["g5.xlarge"], 4)),
    );
    expect(error.construct).toBe("ModelService");
    expect(error.problems).toEqual([
      {
        path: "replicas",
        code: ERROR_CODES.POOL_GPUS_EXCEEDED,
        reason: expect.stringMatching(
          /^\(5\) x 1 model version\(s\) x resources.gpu \(1\) .* = 5 GPUs .* lower replicas to 4 or raise the pool's nodes.max to 5$/,
        ),
      },
    ]);
  });

  it("property: accepted iff the pods fit floor(GPUs per node / GPUs per pod) to a node on nodes.max nodes", () => {
    const types = [
      ["g5.xlarge", 1],
      ["g5.12xlarge", 4],
      ["p4d.24xlarge", 8],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 100 }),
        ([type, gpusPerNode], gpu, maxNodes, replicasMax) => {
          fc.pre(gpu <= gpusPerNode);
          const service = planModelService(
            "m",
            { ...resnetProps, resources: { gpu } },
            pool([type], maxNodes),
          );
          let accepted = true;
          try {
            planAutoscaledEndpoint("m", { ...inCluster, replicas: { min: 1, max: replicasMax } }, service);
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            expect(error.problems.map((p) => p.code)).toEqual([ERROR_CODES.POOL_GPUS_EXCEEDED]);
            accepted = false;
          }
          expect(accepted).toBe(replicasMax <= maxNodes * Math.floor(gpusPerNode / gpu));
          // What is accepted never asks for more GPUs than the pool has at nodes.max.
          if (accepted) expect(replicasMax * gpu).toBeLessThanOrEqual(maxNodes * gpusPerNode);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("every construct on one pool, summed", () => {
  it("refuses the endpoint whose replicas.max pushes the pool's pods past nodes.max, naming the others", () => {
    const binding = pool(["g5.xlarge"], 8);
    const a = planModelService("a", resnetProps, binding);
    const b = planModelService("b", resnetProps, binding);
    claimServicePoolGpus(a);
    claimServicePoolGpus(b); // 1 + 1 pods (Deployments without spec.replicas)
    const endpointA = planAutoscaledEndpoint("a", { ...inCluster, replicas: { min: 1, max: 5 } }, a);
    claimEndpointPoolGpus(endpointA, a); // 5 + 1
    const endpointB = planAutoscaledEndpoint("b", { ...inCluster, replicas: { min: 1, max: 5 } }, b);
    const error = thrown(() => claimEndpointPoolGpus(endpointB, b)); // 5 + 5 > 8
    expect(error.construct).toBe("AutoscaledEndpoint");
    expect(error.constructName).toBe("b");
    expect(error.problems).toEqual([
      {
        path: "replicas.max",
        code: ERROR_CODES.POOL_GPUS_EXCEEDED,
        reason:
          '(5) x 1 model version(s) x resources.gpu (1) of ModelService "b" shares node pool "gpu" with ' +
          'AutoscaledEndpoint "a" (5 pod(s) of 1 GPU(s)): together 10 pod(s), 10 GPUs, which need 10 node(s); ' +
          "it holds only nodes.max (8) x 1 GPU(s) per node (g5.xlarge) = 8 GPUs, 8 pod(s) of 1 GPU(s), so the " +
          "pods beyond stay Pending; lower replicas.max to 3, lower the others', or raise the pool's nodes.max to 10",
      },
    ]);
    // The refused claim is not recorded: b at 3 fits beside a at 5.
    const fitting = planAutoscaledEndpoint("b", { ...inCluster, replicas: { min: 1, max: 3 } }, b);
    expect(() => claimEndpointPoolGpus(fitting, b)).not.toThrow();
  });

  it("adds pods of several sizes by their GPUs", () => {
    const binding = pool(["g5.12xlarge"], 2); // 8 GPUs
    const small = planModelService("small", { ...resnetProps, resources: { gpu: 1 } }, binding);
    const large = planModelService("large", { ...resnetProps, resources: { gpu: 2 } }, binding);
    claimEndpointPoolGpus(
      planAutoscaledEndpoint("small", { ...inCluster, replicas: { min: 1, max: 4 } }, small),
      small,
    );
    const error = thrown(() =>
      claimEndpointPoolGpus(
        planAutoscaledEndpoint("large", { ...inCluster, replicas: { min: 1, max: 3 } }, large),
        large,
      ),
    );
    expect(error.message).toContain("together 7 pod(s), 10 GPUs");
    expect(error.message).toContain("lower replicas.max to 2");
  });

  it("keeps pools apart, and plans alone claim nothing (planning twice is not counted twice)", () => {
    const one = pool(["g5.xlarge"], 4);
    const other = pool(["g5.xlarge"], 4);
    const a = planModelService("a", resnetProps, one);
    const b = planModelService("b", resnetProps, other);
    for (const [service, name] of [
      [a, "a"],
      [b, "b"],
    ] as const) {
      const endpoint = planAutoscaledEndpoint(name, { ...inCluster, replicas: { min: 1, max: 4 } }, service);
      planAutoscaledEndpoint(name, { ...inCluster, replicas: { min: 1, max: 4 } }, service);
      expect(() => claimEndpointPoolGpus(endpoint, service)).not.toThrow();
    }
  });
});
