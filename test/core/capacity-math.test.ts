// Capacity math against hand arithmetic (docs/capacity.md states each rule).
import { describe, expect, it } from "vitest";
import {
  type CapacityDemand,
  type CapacitySupply,
  deriveEndpointCapacity,
} from "../../src/capacity/endpoint-capacity";
import { inflightTarget } from "../../src/capacity/inflight-target";
import { nPlusOne } from "../../src/capacity/n-plus-one";
import { nodesForReplicas, replicasOnNodes } from "../../src/capacity/nodes";
import { deriveReplicas, replicasFor, survivingZoneReplicas } from "../../src/capacity/replicas";
import { recommendBatching, throughputAtSlo } from "../../src/capacity/slo-throughput";
import { ERROR_CODES } from "../../src/errors";
import { G5_PROFILE, point, profile } from "./support/profile-fixture";

describe("per-replica throughput at the SLO", () => {
  it.each([
    [70, 160, 8], // 160 req/s (p99 60) is the most within 70 ms; 170 req/s (p99 120) is not
    [50, 100, 8], // only 100 req/s of the batch-8 points and 40/70 of batch 1 are within 50 ms: 100 beats 70
    [44, 100, 8],
    [25, 40, 1],
  ])("GIVEN p99 target %s ms THEN %s req/s (maxBatchSize %s)", (p99Ms, rps, batch) => {
    const answer = throughputAtSlo(G5_PROFILE.points, p99Ms);
    expect(answer.met).toBe(true);
    if (answer.met) {
      expect(answer.requestsPerSecond).toBe(rps);
      expect(answer.point.maxBatchSize).toBe(batch);
    }
  });

  it("GIVEN no point within the target THEN refused with the best p99 seen (20 ms)", () => {
    const answer = throughputAtSlo(G5_PROFILE.points, 10);
    expect(answer).toMatchObject({ met: false, bestP99Ms: 20 });
  });

  it("a point with errors does not meet the SLO however fast it was", () => {
    const points = [
      point({ maxBatchSize: 1, requestsPerSecond: 40, p99: 20 }),
      point({ maxBatchSize: 1, requestsPerSecond: 90, p99: 25, errors: 3 }),
    ];
    expect(throughputAtSlo(points, 30)).toMatchObject({ met: true, requestsPerSecond: 40 });
  });

  it("recommends the batching setting of the best point within the budget", () => {
    expect(recommendBatching(G5_PROFILE.points, 70)).toMatchObject({ maxBatchSize: 8, maxQueueDelayMs: 2 });
    expect(recommendBatching(G5_PROFILE.points, 25)).toMatchObject({ maxBatchSize: 1, maxQueueDelayMs: 0 });
    expect(recommendBatching(G5_PROFILE.points, 5)).toBeUndefined();
  });
});

describe("replica bounds", () => {
  it("max = ceil(peak x (1 + headroom) / perReplica): 1000 x 1.2 / 160 = 7.5 -> 8", () => {
    const bounds = deriveReplicas({
      perReplicaRequestsPerSecond: 160,
      peakRequestsPerSecond: 1000,
      headroom: 0.2,
      zones: 3,
      baselineRequestsPerSecond: 300,
    });
    // need(300) = ceil(1.875) = 2; surviving-zone: ceil(2 x 3 / 2) = 3
    expect(bounds).toMatchObject({ min: 3, max: 8, forPeak: 7, forPeakWithHeadroom: 8, forBaseline: 2 });
  });

  it("an exact quotient is not rounded up: 300 / 100 = 3 replicas", () => {
    expect(replicasFor(300, 100)).toBe(3);
    expect(replicasFor(1.1, 0.1)).toBe(11); // 1.1 / 0.1 = 11.000000000000002 in floating point
  });

  it("peak below one replica still needs one", () => {
    expect(replicasFor(5, 160)).toBe(1);
    const bounds = deriveReplicas({
      perReplicaRequestsPerSecond: 160,
      peakRequestsPerSecond: 5,
      headroom: 0.2,
      zones: 1,
      baselineRequestsPerSecond: 5,
    });
    expect(bounds).toMatchObject({ min: 1, max: 1 });
  });

  it.each([
    // needed, zones, replicas; check: losing the fullest zone (ceil(R/Z) pods) leaves >= needed
    [3, 3, 5], // 5 pods as 2/2/1: losing 2 leaves 3; 4 pods as 2/1/1 would leave 2
    [7, 3, 11], // ceil(10.5)
    [2, 3, 3],
    [3, 2, 6],
    [1, 2, 2],
    [4, 1, 4],
  ])("surviving-zone rule: %s needed over %s zones -> %s replicas", (needed, zones, replicas) => {
    expect(survivingZoneReplicas(needed, zones)).toBe(replicas);
    if (zones > 1) {
      expect(replicas - Math.ceil(replicas / zones)).toBeGreaterThanOrEqual(needed);
      expect(replicas - 1 - Math.ceil((replicas - 1) / zones)).toBeLessThan(needed);
    }
  });

  it("the zone rule at the peak raises max to min: need(1000 / 160) = 7 -> min ceil(7 x 3 / 2) = 11 > 8", () => {
    const bounds = deriveReplicas({
      perReplicaRequestsPerSecond: 160,
      peakRequestsPerSecond: 1000,
      headroom: 0.2,
      zones: 3,
      baselineRequestsPerSecond: 1000,
    });
    expect(bounds).toMatchObject({ min: 11, max: 11, forPeakWithHeadroom: 8 });
    expect(bounds.arithmetic[0]).toContain("raised to replicas.min 11");
  });
});

describe("Little's law target and nodes", () => {
  it("target = X x W / (1 + headroom): 160 req/s x 0.05 s / 1.25 = 6.4", () => {
    expect(inflightTarget(160, 50, 0.25)).toBe(6.4);
    expect(inflightTarget(160, 50, 0)).toBe(8);
  });

  it.each([
    // replicas, GPUs per replica, GPUs per node -> per node, nodes
    [11, 1, 1, 1, 11],
    [11, 1, 4, 4, 3],
    [11, 2, 4, 2, 6],
    [11, 3, 4, 1, 11], // 3 of 4 GPUs: the 4th GPU of each node stays idle
    [5, 3, 8, 2, 3],
  ])(
    "%s replicas of %s GPU(s) on %s-GPU nodes: %s per node, %s nodes",
    (replicas, per, perNode, rpn, nodes) => {
      expect(nodesForReplicas(replicas, per, perNode)).toEqual({
        replicasPerNode: rpn,
        nodes,
        gpus: replicas * per,
      });
    },
  );

  it("a pool of 5 four-GPU nodes holds 10 two-GPU replicas", () => {
    expect(replicasOnNodes(5, 2, 4)).toBe(10);
  });
});

describe("N+1 across regions", () => {
  const regions = [
    { region: "us-east-1", requestsPerSecondAtMax: 600 },
    { region: "eu-west-1", requestsPerSecondAtMax: 400 },
    { region: "ap-southeast-2", requestsPerSecondAtMax: 300 },
  ];
  it("losing the largest (600) leaves 700 >= 650: carried, 50 spare", () => {
    const verdict = nPlusOne(regions, 650);
    expect(verdict).toMatchObject({ ok: true, lostRegion: "us-east-1", survivingRequestsPerSecond: 700 });
    expect(verdict.marginRequestsPerSecond).toBe(50);
  });
  it("700 < 800: refused, short by 100", () => {
    const verdict = nPlusOne(regions, 800);
    expect(verdict.ok).toBe(false);
    expect(verdict.arithmetic).toContain("short by 100 req/s");
  });
});

describe("an endpoint's capacity", () => {
  const demand: CapacityDemand = {
    peakRequestsPerSecond: 1000,
    p99Ms: 70,
    headroom: 0.2,
    zones: 3,
    baselineRequestsPerSecond: 300,
    representative: false,
  };
  const supply: CapacitySupply = {
    batching: undefined,
    gpusPerReplica: 1,
    pool: { name: "gpu", instanceTypes: ["g5.xlarge"], gpusPerNode: 1, maxNodes: 20 },
  };

  it("derives replicas, target, GPUs and nodes from the profile (hand arithmetic in the test names above)", () => {
    const result = deriveEndpointCapacity(G5_PROFILE, demand, supply);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.capacity).toMatchObject({
      perReplicaRequestsPerSecond: 160,
      replicas: { min: 3, max: 8 },
      inflightRequestsPerReplica: 6.667, // 160 x 0.05 / 1.2
      batching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
      gpus: { min: 3, max: 8 },
      nodes: { min: 3, max: 8, replicasPerNode: 1, poolMaxNodes: 20 },
      requestsPerSecondAtMax: 1280,
    });
  });

  it("the ModelService's declared batching restricts the points: batch 1 gives 70 req/s, max ceil(1200/70) = 18", () => {
    const result = deriveEndpointCapacity(G5_PROFILE, demand, {
      ...supply,
      batching: { maxBatchSize: 1, maxQueueDelayMs: 0 },
    });
    expect(result.ok && result.capacity).toMatchObject({
      perReplicaRequestsPerSecond: 70,
      replicas: { max: 18 },
      recommendedBatching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
    });
  });

  it("a batching setting the profile never measured is refused with the measured ones", () => {
    const result = deriveEndpointCapacity(G5_PROFILE, demand, {
      ...supply,
      batching: { maxBatchSize: 4, maxQueueDelayMs: 0 },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.reason).toContain("maxBatchSize 8, maxQueueDelayMs 2");
  });

  it("a p99 no point meets is refused with the best p99 the profile saw", () => {
    const result = deriveEndpointCapacity(G5_PROFILE, { ...demand, p99Ms: 10 }, supply);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        expect.objectContaining({
          path: "capacity.p99Ms",
          reason: expect.stringContaining("best p99 it saw is 20 ms"),
        }),
      ]);
  });

  it("a pool whose nodes.max cannot hold replicas.max is refused with the numbers", () => {
    const result = deriveEndpointCapacity(G5_PROFILE, demand, {
      ...supply,
      pool: { ...supply.pool!, maxNodes: 5 },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems[0]?.reason).toMatch(
        /replicas.max 8 on 8 node.*holds only nodes.max \(5\) x 1 GPU\(s\) per node \(g5.xlarge\) = 5 GPUs, 5 pod\(s\).*800 req\/s/,
      );
      expect(result.problems[0]?.code).toBe(ERROR_CODES.POOL_GPUS_EXCEEDED);
    }
  });

  it("GPUs per node > 1: 8 replicas of 1 GPU on g5.12xlarge (4 GPUs) need 2 nodes", () => {
    const result = deriveEndpointCapacity(
      profile(G5_PROFILE.points, { instanceType: "g5.12xlarge", executionProvider: "cuda" }),
      demand,
      { ...supply, pool: { name: "gpu", instanceTypes: ["g5.12xlarge"], gpusPerNode: 4, maxNodes: 2 } },
    );
    expect(result.ok && result.capacity.nodes).toEqual({
      min: 1,
      max: 2,
      replicasPerNode: 4,
      poolMaxNodes: 2,
    });
  });

  it("a profile from another instance type is refused unless representative", () => {
    const mixed = { ...supply, pool: { ...supply.pool!, instanceTypes: ["g5.xlarge", "g6.xlarge"] } };
    const refused = deriveEndpointCapacity(G5_PROFILE, demand, mixed);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problems[0]?.reason).toContain("runs g6.xlarge");
    expect(deriveEndpointCapacity(G5_PROFILE, { ...demand, representative: true }, mixed).ok).toBe(true);
  });

  it("a profile of an unnamed machine, or of CPU for GPU pods, is refused unless representative", () => {
    const laptop = profile(G5_PROFILE.points, { executionProvider: "cpu" });
    const refused = deriveEndpointCapacity(laptop, demand, supply);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.problems.map((p) => p.reason).join("\n")).toMatch(
        /unnamed machine.*\n.*cpu execution provider/s,
      );
    }
    expect(deriveEndpointCapacity(laptop, { ...demand, representative: true }, supply).ok).toBe(true);
  });
});
