// `capacity` on AutoscaledEndpoint and N+1 on MultiRegionFailover, through the real planners.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelService } from "../../src/plan/model-service";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import type { AutoscaledEndpointProps } from "../../src/specs/autoscaled-endpoint";
import type { CapacityProps } from "../../src/specs/capacity";
import { resnetProps } from "./support/fixtures";
import type { Json } from "./support/json";
import { G5_PROFILE } from "./support/profile-fixture";

function servicePlan(maxNodes = 20, instanceTypes = ["g5.xlarge"]) {
  const pool = planGpuNodePool("gpu", {
    clusterName: "prod",
    subnetIds: ["subnet-0123456789abcdef0"],
    instanceTypes,
    nodes: { min: 1, max: maxNodes },
  });
  return planModelService(
    "resnet",
    { ...resnetProps, batching: { maxBatchSize: 8, maxQueueDelayMs: 2 } },
    pool.binding,
  );
}

// Peak 1000 req/s, p99 70 ms: the profile's batch-8 point at 160 req/s (p99 60, mean 50) is the best within.
const capacity: CapacityProps = {
  profile: G5_PROFILE,
  peakRequestsPerSecond: 1000,
  p99Ms: 70,
  baselineRequestsPerSecond: 300,
};

function problems(props: AutoscaledEndpointProps, service = servicePlan()): string[] {
  try {
    planAutoscaledEndpoint("resnet", props, service);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path} ${p.reason}`);
  }
  return [];
}

describe("AutoscaledEndpoint capacity", () => {
  it("GIVEN only capacity THEN the HPA gets the derived bounds and target (min 3, max 8, 6.667)", () => {
    const plan = planAutoscaledEndpoint("resnet", { capacity }, servicePlan());
    const hpa = plan.kubernetesObjects[0] as Json;
    expect(hpa.spec.minReplicas).toBe(3); // ceil(ceil(300/160) x 3/2)
    expect(hpa.spec.maxReplicas).toBe(8); // ceil(1000 x 1.2 / 160)
    expect(hpa.spec.metrics[0].pods.target.averageValue).toBe("6667m"); // 160 x 0.05 / 1.2
    expect(plan.capacity).toMatchObject({ nodes: { max: 8 }, requestsPerSecondAtMax: 1280 });
  });

  it("reads the profile from a path", () => {
    const dir = mkdtempSync(join(tmpdir(), "onnxfleet-capacity-"));
    writeFileSync(join(dir, "profile.json"), JSON.stringify(G5_PROFILE));
    const plan = planAutoscaledEndpoint(
      "resnet",
      { capacity: { ...capacity, profile: join(dir, "profile.json") } },
      servicePlan(),
    );
    expect(plan.spec.replicas).toEqual({ min: 3, max: 8 });
    expect(problems({ capacity: { ...capacity, profile: join(dir, "missing.json") } })[0]).toMatch(
      /^capacity.profile \(".*missing.json"\) cannot be read as a profile/,
    );
  });

  it("hand bounds at or above the derived ones are kept", () => {
    const plan = planAutoscaledEndpoint(
      "resnet",
      { capacity, replicas: { min: 4, max: 10 }, target: { inflightRequestsPerReplica: 5 } },
      servicePlan(),
    );
    expect(plan.spec.replicas).toEqual({ min: 4, max: 10 });
    expect(plan.spec.inflightRequestsPerReplica).toBe(5);
  });

  it("hand bounds short of the derived ones are refused with the numbers", () => {
    expect(
      problems({ capacity, replicas: { min: 2, max: 7 }, target: { inflightRequestsPerReplica: 9 } }),
    ).toEqual([
      "replicas.max (7) falls short of the 8 replicas capacity derives: 7 x 160 req/s = 1120 req/s < peak 1000 x (1 + headroom 0.2) = 1200 req/s; raise it or drop it to use the derived value",
      "replicas.min (2) falls short of the 3 replicas capacity derives so that losing one of 3 zones still carries 300 req/s; raise it, lower capacity.baselineRequestsPerSecond, or drop it to use the derived value",
      "target.inflightRequestsPerReplica (9) exceeds the 8 requests a replica holds in flight at its p99 target (160 req/s x 50 ms, Little's law): the autoscaler would add replicas only after the p99 is missed; use at most 8 or drop it to use the derived 6.667",
    ]);
  });

  it("without replicas and capacity, says both ways", () => {
    expect(problems({} as AutoscaledEndpointProps)).toEqual([
      "replicas is required: { min, max } pods per model version, or give capacity to derive them",
      "target.inflightRequestsPerReplica is required: the in-flight requests per pod to aim for, or give capacity to derive it",
    ]);
  });

  it("refuses a profile of another instance type unless representative, and unknown keys", () => {
    const mixed = servicePlan(20, ["g5.xlarge", "g6.xlarge"]);
    expect(problems({ capacity }, mixed)).toEqual([
      expect.stringMatching(
        /^capacity.profile was measured on g5.xlarge, but node pool "gpu" runs g6.xlarge; /,
      ),
    ]);
    expect(problems({ capacity: { ...capacity, representative: true } }, mixed)).toEqual([]);
    expect(problems({ capacity: { ...capacity, peakRps: 3 } as CapacityProps })[0]).toMatch(
      /^capacity.peakRps/,
    );
  });

  it("refuses a p99 the profile never met, and a pool too small for replicas.max", () => {
    expect(problems({ capacity: { ...capacity, p99Ms: 10 } })).toEqual([
      expect.stringContaining("best p99 it saw is 30 ms"), // the service's batch-8 points only
    ]);
    expect(problems({ capacity }, servicePlan(5))[0]).toContain(
      "holds only nodes.max (5) x 1 GPU(s) per node",
    );
  });
});

describe("MultiRegionFailover N+1", () => {
  // Each region: 160 req/s per replica; replicas.max 8 -> 1280 req/s at the ceiling, or the pool's limit.
  const endpoint = (region: string, peak: number, maxNodes = 20) => {
    const plan = planAutoscaledEndpoint(
      `resnet-${region}`,
      { capacity: { ...capacity, peakRequestsPerSecond: peak } },
      servicePlan(maxNodes),
    );
    return { hostname: `lb.${region}.example.com`, capacity: plan.capacity };
  };
  const failover = (regions: { region: string; endpoint: ReturnType<typeof endpoint> }[], peak?: number) =>
    planMultiRegionFailover("global", {
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      domainName: "infer.example.com",
      routing: "latency",
      regions: regions as never,
      ...(peak !== undefined ? { peakRequestsPerSecond: peak } : {}),
    });

  it("GIVEN three regions of 1280 req/s and a global peak of 2000 THEN losing one leaves 2560: carried", () => {
    const plan = failover(
      [
        { region: "us-east-1", endpoint: endpoint("us-east-1", 1000) },
        { region: "us-west-2", endpoint: endpoint("us-west-2", 1000) },
        { region: "eu-west-1", endpoint: endpoint("eu-west-1", 1000) },
      ],
      2000,
    );
    expect(plan.nPlusOne).toMatchObject({
      ok: true,
      lostRegion: "us-east-1",
      survivingRequestsPerSecond: 2560,
    });
    expect(plan.worstCaseFailoverSeconds).toBe(60); // the RTO arithmetic stays: 10 x 3 + 30
  });

  it("GIVEN the default global peak (sum 3000) THEN 2560 is short by 440 and refused", () => {
    expect(() =>
      failover([
        { region: "us-east-1", endpoint: endpoint("us-east-1", 1000) },
        { region: "us-west-2", endpoint: endpoint("us-west-2", 1000) },
        { region: "eu-west-1", endpoint: endpoint("eu-west-1", 1000) },
      ]),
    ).toThrow(
      /losing us-east-1 \(1280 req\/s\) leaves us-west-2 1280 \+ eu-west-1 1280 = 2560 req\/s < global peak 3000 req\/s \(short by 440 req\/s\)/,
    );
  });

  it("a small pool caps a region at its nodes.max: 4 nodes x 160 = 640 req/s", () => {
    const small = endpoint("eu-west-1", 500, 4); // replicas.max ceil(600/160) = 4 fits 4 nodes
    expect(small.capacity?.requestsPerSecondAtMax).toBe(640);
    expect(() =>
      failover(
        [
          { region: "us-east-1", endpoint: endpoint("us-east-1", 1000) },
          { region: "eu-west-1", endpoint: small },
        ],
        1000,
      ),
    ).toThrow(/leaves eu-west-1 640 = 640 req\/s < global peak 1000 req\/s \(short by 360 req\/s\)/);
  });

  it("refuses a topology where only some regions declare capacity", () => {
    expect(() =>
      failover([
        { region: "us-east-1", endpoint: endpoint("us-east-1", 1000) },
        { region: "eu-west-1", endpoint: { hostname: "lb.eu.example.com", capacity: undefined } },
      ]),
    ).toThrow(/regions\[1\]\.endpoint\.capacity is missing while us-east-1 declare capacity/);
  });
});
