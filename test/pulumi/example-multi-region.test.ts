/**
 * Runs examples/pulumi-multi-region as `pulumi up` would, under Pulumi mocks, with its stack config; the
 * example imports `onnxfleet/pulumi` like a user's program (the built package).
 */
import { describe, expect, it } from "vitest";
import { recordResources, resolved } from "./harness";
import { MULTI_REGION_REGIONS, setExampleMultiRegionConfig } from "./multi-region-stack";

const recording = recordResources("onnxfleet-multi-region");
const regions = MULTI_REGION_REGIONS;
/** The example's bearer token: a stack secret. */
const EXAMPLE_AUTH_TOKEN = "example-token-0123456789abcdef";
setExampleMultiRegionConfig(EXAMPLE_AUTH_TOKEN);
const program = await import("../../examples/pulumi-multi-region/index");
await recording.settle();

describe("examples/pulumi-multi-region", () => {
  it("creates a pool, a service and an endpoint per region, and one failover", () => {
    const components = recording.resources.filter((r) => r.type.startsWith("onnxfleet:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        "onnxfleet:index:GpuNodePool gpu-us-east-1",
        "onnxfleet:index:GpuNodePool gpu-eu-west-1",
        "onnxfleet:index:ModelService resnet-us-east-1",
        "onnxfleet:index:ModelService resnet-eu-west-1",
        "onnxfleet:index:AutoscaledEndpoint resnet-us-east-1",
        "onnxfleet:index:AutoscaledEndpoint resnet-eu-west-1",
        "onnxfleet:index:MultiRegionFailover resnet-global",
      ].sort(),
    );
  });

  it.each(regions)(
    "deploys $region with its own providers, built from the looked-up cluster",
    async ({ region }) => {
      const awsProvider = recording.get("pulumi:providers:aws", `aws-${region}`);
      const k8sProvider = recording.get("pulumi:providers:kubernetes", `k8s-${region}`);
      expect(awsProvider.inputs.region).toBe(region);
      expect(JSON.parse(k8sProvider.inputs.kubeconfig as string).users[0].user.exec.args).toContain(region);
      for (const component of [`gpu-${region}`, `resnet-${region}`]) {
        const children = recording.resources.filter(
          (r) => r.custom && recording.resources.some((c) => c.urn === r.parent && c.name === component),
        );
        expect(children.length).toBeGreaterThan(0);
        for (const child of children) {
          const provider = child.type.startsWith("aws:") ? awsProvider : k8sProvider;
          expect(child.provider.startsWith(`${provider.urn}::`), `${child.type} ${child.name}`).toBe(true);
        }
      }
      const nodeGroup = recording.get("aws:eks/nodeGroup:NodeGroup", `gpu-${region}-node-group`);
      expect(nodeGroup.inputs.clusterName).toBe(regions.find((r) => r.region === region)?.clusterName);
    },
  );

  it("health-checks every region every 10 s (3 failures) and fails over from the first region", () => {
    const checks = recording.ofType("aws:route53/healthCheck:HealthCheck");
    expect(checks.map((c) => c.inputs.fqdn).sort()).toEqual([
      "resnet-eu-west-1-nlb.elb.mock.amazonaws.com",
      "resnet-us-east-1-nlb.elb.mock.amazonaws.com",
    ]);
    for (const check of checks) {
      expect(check.inputs).toMatchObject({
        resourcePath: "/v2/health/ready",
        requestInterval: 10,
        failureThreshold: 3,
      });
    }
    const policy = (region: string) =>
      recording.get("aws:route53/record:Record", `resnet-global-${region}-record`).inputs
        .failoverRoutingPolicies;
    expect(policy("us-east-1")).toEqual([{ type: "PRIMARY" }]);
    expect(policy("eu-west-1")).toEqual([{ type: "SECONDARY" }]);
  });

  it("exports the URL, each region's hostname, the health check ids and the planned failover time", async () => {
    expect(await resolved(program.url)).toBe("https://infer.example.com/v2/models/resnet50/infer");
    expect(await resolved(program.regionalHostnames["eu-west-1"]!)).toBe(
      "resnet-eu-west-1-nlb.elb.mock.amazonaws.com",
    );
    expect(await resolved(program.healthCheckIds["us-east-1"]!)).toBe(
      "resnet-global-us-east-1-health-check-id",
    );
    expect(program.worstCaseFailoverSeconds).toBe(60);
  });
});

describe("examples/pulumi-multi-region: operations", () => {
  it("carries each region's alerts and dashboard (the endpoint's scrape brings them)", () => {
    for (const region of ["us-east-1", "eu-west-1"]) {
      recording.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", `resnet-${region}`);
      recording.get("kubernetes:monitoring.coreos.com/v1:PrometheusRule", `resnet-${region}`);
      recording.get("kubernetes:core/v1:ConfigMap", `resnet-${region}-dashboard`);
    }
  });
});
