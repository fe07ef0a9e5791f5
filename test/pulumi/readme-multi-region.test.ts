/**
 * Runs the README's multi-region program (the block under "The multi-region program", as a user copies it)
 * under the exported mocks (`onnxfleet/pulumi/testing`, through the harness), with the stack config it reads,
 * and checks what it creates: per region a pool, a service and an NLB endpoint on that region's providers;
 * one Route53 health check per region on its NLB, failover records guarded by them, one CloudWatch alarm per
 * health check; and the outputs the README promises. test/docs.test.ts type-checks the same block.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockUnder, typescriptBlocks } from "../support/markdown-blocks";
import { recordResources, resolved } from "./harness";
import { MULTI_REGION_DOMAIN, MULTI_REGION_REGIONS, setReadmeMultiRegionConfig } from "./multi-region-stack";

const PROJECT = "readme-multi-region";
const recording = recordResources(PROJECT);
setReadmeMultiRegionConfig(PROJECT, "readme-token-0123456789abcdef");

const root = new URL("../..", import.meta.url).pathname;
const block = blockUnder(
  typescriptBlocks("README.md", readFileSync(join(root, "README.md"), "utf8")),
  "README.md",
  "The multi-region program",
);
// A module inside the repository, so that `@pulumi/*` and `onnxfleet/pulumi` resolve as in the other programs
// under test (vitest.config.mts maps `onnxfleet/*` to the sources); dist/ is git-ignored scratch space.
const dir = join(root, "dist/readme-programs");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "multi-region.ts"), `${block.preamble}\n${block.code}\n`);
const program = (await import(join(dir, "multi-region.ts"))) as {
  url: { apply: unknown };
  worstCaseFailoverSeconds: number;
};
await recording.settle();

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const regions = MULTI_REGION_REGIONS.map(({ region }) => region);

describe("README.md: the multi-region program under onnxfleet/pulumi/testing mocks", () => {
  it("creates a pool, a service and an endpoint per region, and one failover", () => {
    const components = recording.resources.filter((r) => r.type.startsWith("onnxfleet:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        ...regions.flatMap((region) => [
          `onnxfleet:index:GpuNodePool gpu-${region}`,
          `onnxfleet:index:ModelService resnet-${region}`,
          `onnxfleet:index:AutoscaledEndpoint resnet-${region}`,
        ]),
        "onnxfleet:index:MultiRegionFailover resnet-global",
      ].sort(),
    );
  });

  it.each(MULTI_REGION_REGIONS)(
    "puts $region's node group in $clusterName and its NLB Service on that region's cluster",
    ({ region, clusterName }) => {
      const awsProvider = recording.get("pulumi:providers:aws", `aws-${region}`);
      const k8sProvider = recording.get("pulumi:providers:kubernetes", `k8s-${region}`);
      expect(awsProvider.inputs.region).toBe(region);
      const nodeGroup = recording.get("aws:eks/nodeGroup:NodeGroup", `gpu-${region}-node-group`);
      expect(nodeGroup.inputs.clusterName).toBe(clusterName);
      expect(nodeGroup.provider.startsWith(`${awsProvider.urn}::`)).toBe(true);
      const nlb = recording.get("kubernetes:core/v1:Service", `resnet-${region}-nlb`);
      expect(nlb.inputs.spec).toMatchObject({ type: "LoadBalancer" });
      expect(nlb.provider.startsWith(`${k8sProvider.urn}::`)).toBe(true);
    },
  );

  it("health-checks each region's NLB on the readiness route every 10 s, unhealthy after 3 failures", () => {
    const checks = recording.ofType(HEALTH_CHECK);
    expect(checks.map((c) => c.name).sort()).toEqual(
      regions.map((region) => `resnet-global-${region}-health-check`).sort(),
    );
    for (const region of regions) {
      expect(recording.get(HEALTH_CHECK, `resnet-global-${region}-health-check`).inputs).toMatchObject({
        fqdn: `resnet-${region}-nlb.elb.mock.amazonaws.com`,
        resourcePath: "/v2/health/ready",
        type: "HTTPS",
        port: 443,
        requestInterval: 10,
        failureThreshold: 3,
      });
    }
  });

  it("answers infer.example.com with a PRIMARY record in us-east-1 and a SECONDARY in eu-west-1, each guarded by its region's check", () => {
    const records = recording.ofType(RECORD);
    expect(records).toHaveLength(2);
    const expected = { "us-east-1": "PRIMARY", "eu-west-1": "SECONDARY" } as const;
    for (const region of regions) {
      const record = recording.get(RECORD, `resnet-global-${region}-record`);
      expect(record.inputs).toMatchObject({
        zoneId: MULTI_REGION_DOMAIN.hostedZoneId,
        name: MULTI_REGION_DOMAIN.domainName,
        type: "CNAME",
        records: [`resnet-${region}-nlb.elb.mock.amazonaws.com`],
        healthCheckId: `resnet-global-${region}-health-check-id`,
        failoverRoutingPolicies: [{ type: expected[region] }],
      });
    }
  });

  it("alarms on each health check (CloudWatch, us-east-1, where Route53 publishes its metrics)", () => {
    const alarms = recording.ofType(ALARM);
    expect(alarms.map((a) => a.inputs.dimensions).sort()).toEqual(
      regions.map((region) => ({ HealthCheckId: `resnet-global-${region}-health-check-id` })).sort(),
    );
    for (const alarm of alarms)
      expect(alarm.inputs).toMatchObject({
        region: "us-east-1",
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
      });
  });

  it("exports the URL and the failover time the README states (60 seconds)", async () => {
    expect(await resolved(program.url as never)).toBe("https://infer.example.com/v2/models/resnet50/infer");
    expect(program.worstCaseFailoverSeconds).toBe(60);
  });
});
