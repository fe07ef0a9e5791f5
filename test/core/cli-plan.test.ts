// `onnxfleet plan FILE`: the figures of a topology with capacities and a multi-region failover, checked
// against hand arithmetic from the same profile (test/core/support/profile-fixture.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { main } from "../../src/cli/main";
import { SHA_A } from "./support/fixtures";
import { G5_PROFILE } from "./support/profile-fixture";

const root = new URL("../../", import.meta.url).pathname;

function topology(globalPeak: number) {
  const pool = (maxNodes: number) => ({
    clusterName: "prod",
    subnetIds: ["subnet-0123456789abcdef0"],
    instanceTypes: ["g5.xlarge"],
    nodes: { min: 1, max: maxNodes },
  });
  const service = (nodePool: string) => ({
    nodePool,
    model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA_A },
    resources: { gpu: 1, cpu: "2", memory: "8Gi" },
    batching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
  });
  return {
    gpuNodePools: { "gpu-use1": pool(20), "gpu-euw1": pool(4) },
    modelServices: { "resnet-use1": service("gpu-use1"), "resnet-euw1": service("gpu-euw1") },
    autoscaledEndpoints: {
      "resnet-use1": {
        service: "resnet-use1",
        // relative to the topology file's directory
        capacity: {
          profile: "profile.json",
          peakRequestsPerSecond: 1000,
          p99Ms: 70,
          baselineRequestsPerSecond: 300,
        },
      },
      "resnet-euw1": {
        service: "resnet-euw1",
        capacity: {
          profile: "profile.json",
          peakRequestsPerSecond: 500,
          p99Ms: 70,
          baselineRequestsPerSecond: 300,
        },
      },
    },
    multiRegionFailovers: {
      global: {
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        domainName: "infer.example.com",
        routing: "latency",
        peakRequestsPerSecond: globalPeak,
        regions: [
          { region: "us-east-1", endpoint: "resnet-use1" },
          { region: "eu-west-1", endpoint: "resnet-euw1" },
        ],
      },
    },
  };
}

function writeTopology(globalPeak: number): string {
  const dir = mkdtempSync(join(tmpdir(), "onnxfleet-plan-"));
  writeFileSync(join(dir, "profile.json"), JSON.stringify(G5_PROFILE));
  writeFileSync(join(dir, "topology.yaml"), stringify(topology(globalPeak)));
  return join(dir, "topology.yaml");
}

async function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readText: async (path) => (await import("node:fs/promises")).readFile(path, "utf8"),
  });
  return { code, stdout, stderr };
}

describe("onnxfleet plan", () => {
  it("prints replicas, GPUs, nodes, cost, RTO and a holding N+1 verdict", async () => {
    const result = await run(["plan", writeTopology(600)]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    // use1: 160 req/s per replica; max ceil(1000 x 1.2 / 160) = 8; min ceil(ceil(300/160) x 3/2) = 3;
    // 1 GPU per g5.xlarge node; $1.006/h: 3 x 1.006 = 3.02, 8 x 1.006 = 8.05; target 160 x 0.05 / 1.2 = 6.667
    expect(lines.find((l) => l.startsWith("resnet-use1 "))?.split(/\s{2,}/)).toEqual([
      "resnet-use1",
      "us-east-1",
      "capacity",
      "3-8",
      "3-8",
      "3-8",
      "6.667",
      "$3.02",
      "$8.05",
    ]);
    // euw1: max ceil(500 x 1.2 / 160) = ceil(3.75) = 4 (the pool's 4 nodes hold it); min 3; eu-west-1's
    // price $1.123/h: 3 x 1.123 = 3.37, 4 x 1.123 = 4.49
    expect(lines.find((l) => l.startsWith("resnet-euw1 "))?.split(/\s{2,}/)).toEqual([
      "resnet-euw1",
      "eu-west-1",
      "capacity",
      "3-4",
      "3-4",
      "3-4",
      "6.667",
      "$3.37",
      "$4.49",
    ]);
    expect(result.stdout).toContain(
      "price: g5.xlarge in us-east-1 $1.006/h (as of 2026-06, https://aws.amazon.com/ec2/pricing/on-demand/)",
    );
    expect(result.stdout).toMatch(
      /price: g5\.xlarge in eu-west-1 \$1\.123\/h \(as of 2026-12-02, https:\/\/github\.com\/skypilot-org\/skypilot-catalog\/blob\/[0-9a-f]{40}\/catalogs\/v8\/aws\/vms\.csv\)/,
    );
    expect(result.stdout).toContain(
      "RTO: healthCheck.intervalSeconds (10) x failureThreshold (3) + ttlSeconds (30) = 60 s",
    );
    // losing us-east-1 (8 x 160 = 1280) leaves eu-west-1 4 x 160 = 640 >= 600
    expect(result.stdout).toContain(
      "N+1: holds: losing us-east-1 (1280 req/s) leaves eu-west-1 640 = 640 req/s >= global peak 600 req/s (spare 40 req/s)",
    );
    expect(result.stdout).toContain("as of 2026-06");
  });

  it("says when the endpoint's region has no list price, rather than pricing it from another region", async () => {
    const file = writeTopology(600);
    const text = (await import("node:fs"))
      .readFileSync(file, "utf8")
      .replace("region: eu-west-1", "region: sa-east-1");
    (await import("node:fs")).writeFileSync(file, text);
    const result = await run(["plan", file]);
    expect(result.code).toBe(0);
    const row = result.stdout
      .split("\n")
      .find((l) => l.startsWith("resnet-euw1 "))
      ?.split(/\s{2,}/);
    expect(row?.slice(-2)).toEqual(["-", "-"]);
    expect(result.stdout).toContain(
      "cost: no list price for g5.xlarge in sa-east-1 in the catalog (src/catalog/gpu-prices.ts); not priced from another region",
    );
  });

  it("refuses a topology whose surviving region is too small, saying by how much (exit 1)", async () => {
    const result = await run(["plan", writeTopology(1000)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      'MultiRegionFailover "global": regions cannot carry the global peak after losing a region: losing us-east-1 (1280 req/s) leaves eu-west-1 640 = 640 req/s < global peak 1000 req/s (short by 360 req/s)',
    );
  });

  it("runs as the real binary over the built dist", () => {
    const result = spawnSync(
      process.execPath,
      [join(root, "bin/onnxfleet.cjs"), "plan", writeTopology(600)],
      {
        encoding: "utf8",
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("N+1: holds");
  });
});
