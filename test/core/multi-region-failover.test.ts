import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AWS_REGIONS } from "../../src/catalog/aws-regions";
import { ROUTE53_HEALTH_CHECKER_REGIONS } from "../../src/catalog/route53-health-checkers";
import { ValidationError } from "../../src/errors";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import type { MultiRegionFailoverProps } from "../../src/specs/multi-region-failover";

const east = { region: "us-east-1" as const, endpoint: { hostname: "a-1.elb.us-east-1.amazonaws.com" } };
const west = { region: "us-west-2" as const, endpoint: { hostname: "b-2.elb.us-west-2.amazonaws.com" } };
const europe = {
  region: "eu-central-1" as const,
  endpoint: { hostname: "c-3.elb.eu-central-1.amazonaws.com" },
};
const base: MultiRegionFailoverProps = {
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  domainName: "infer.example.com",
  regions: [east, west],
};
const pulumiOutput = { __pulumiOutput: true };

function problems(props: unknown, name = "global"): string[] {
  try {
    planMultiRegionFailover(name, props as MultiRegionFailoverProps);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map((p) => `${p.path} ${p.reason}`);
  }
  throw new Error("expected a ValidationError");
}

describe("MultiRegionFailover, failover routing (the default)", () => {
  const plan = planMultiRegionFailover("global", base);

  it("plans a health check and a record per region, in order, then the health checks' alarms", () => {
    expect(plan.cloudResources.map((r) => [r.type, r.logicalName])).toEqual([
      ["aws:route53:HealthCheck", "global-us-east-1-health-check"],
      ["aws:route53:Record", "global-us-east-1-record"],
      ["aws:route53:HealthCheck", "global-us-west-2-health-check"],
      ["aws:route53:Record", "global-us-west-2-record"],
      ["aws:cloudwatch:MetricAlarm", "global-us-east-1-health-alarm"],
      ["aws:cloudwatch:MetricAlarm", "global-us-west-2-health-alarm"],
    ]);
  });

  it("probes each endpoint's readiness route over HTTP on port 80 every 10 s, 3 failures to unhealthy", () => {
    expect(plan.cloudResources[0]!.properties).toEqual({
      type: "HTTP",
      fqdn: "a-1.elb.us-east-1.amazonaws.com",
      port: 80,
      resourcePath: "/v2/health/ready",
      requestInterval: 10,
      failureThreshold: 3,
      measureLatency: false,
      // Only the checker regions whose ranges src/catalog/route53-health-checkers.ts lists.
      regions: [...ROUTE53_HEALTH_CHECKER_REGIONS],
      tags: { Name: "global-us-east-1" },
    });
  });

  it("probes each endpoint on its own protocol and port, unless the health check sets them", () => {
    const tls = planMultiRegionFailover("global", {
      ...base,
      regions: [
        { ...east, endpoint: { ...east.endpoint, protocol: "HTTPS" } },
        { ...west, endpoint: { ...west.endpoint, protocol: "HTTPS", port: 8443 } },
      ],
    });
    const checks = tls.cloudResources.filter((r) => r.type === "aws:route53:HealthCheck");
    expect(checks.map((c) => [c.properties.type, c.properties.port, c.properties.enableSni])).toEqual([
      ["HTTPS", 443, true],
      ["HTTPS", 8443, true],
    ]);
    const forced = planMultiRegionFailover("global", {
      ...base,
      regions: [east, { ...west, endpoint: { ...west.endpoint, protocol: "HTTPS", port: 8443 } }],
      healthCheck: { protocol: "HTTP", port: 8080 },
    });
    expect(
      forced.cloudResources
        .filter((r) => r.type === "aws:route53:HealthCheck")
        .map((c) => [c.properties.type, c.properties.port]),
    ).toEqual([
      ["HTTP", 8080],
      ["HTTP", 8080],
    ]);
  });

  it("makes the first region PRIMARY and the second SECONDARY, each guarded by its health check", () => {
    expect(plan.cloudResources[1]!.properties).toEqual({
      zoneId: "Z0123456789ABCDEFGHIJ",
      name: "infer.example.com",
      type: "CNAME",
      ttl: 30,
      records: ["a-1.elb.us-east-1.amazonaws.com"],
      setIdentifier: "us-east-1",
      healthCheckId: { $ref: "global-us-east-1-health-check", attribute: "id" },
      failoverRoutingPolicy: { type: "PRIMARY" },
    });
    expect(plan.cloudResources[3]!.properties).toMatchObject({
      setIdentifier: "us-west-2",
      failoverRoutingPolicy: { type: "SECONDARY" },
    });
  });

  it("computes the worst-case failover time of the defaults: 10 x 3 + 30 = 60 s", () => {
    expect(plan.worstCaseFailoverSeconds).toBe(60);
    expect(planMultiRegionFailover("g", { ...base, maxFailoverSeconds: 60 }).worstCaseFailoverSeconds).toBe(
      60,
    );
  });

  it("honours explicit roles", () => {
    const swapped = planMultiRegionFailover("global", {
      ...base,
      regions: [east, { ...west, role: "primary" }],
    });
    const types = swapped.cloudResources
      .filter((r) => r.type === "aws:route53:Record")
      .map((r) => [r.properties.setIdentifier, r.properties.failoverRoutingPolicy]);
    expect(types).toEqual([
      ["us-east-1", { type: "SECONDARY" }],
      ["us-west-2", { type: "PRIMARY" }],
    ]);
  });

  it("plans the given path, interval and threshold", () => {
    const http = planMultiRegionFailover("global", {
      ...base,
      healthCheck: { path: "/v2/health/live", intervalSeconds: 30, failureThreshold: 2 },
      ttlSeconds: 60,
    });
    expect(http.cloudResources[0]!.properties).toMatchObject({
      type: "HTTP",
      port: 80,
      resourcePath: "/v2/health/live",
      requestInterval: 30,
      failureThreshold: 2,
    });
    expect(http.cloudResources[0]!.properties).not.toHaveProperty("enableSni");
    expect(http.worstCaseFailoverSeconds).toBe(120);
  });
});

describe("MultiRegionFailover, latency routing", () => {
  const plan = planMultiRegionFailover("lat", { ...base, routing: "latency", regions: [east, west, europe] });

  it("plans a latency record per region, measuring latency in the health checks", () => {
    const records = plan.cloudResources.filter((r) => r.type === "aws:route53:Record");
    expect(records.map((r) => [r.properties.setIdentifier, r.properties.latencyRoutingPolicy])).toEqual([
      ["us-east-1", { region: "us-east-1" }],
      ["us-west-2", { region: "us-west-2" }],
      ["eu-central-1", { region: "eu-central-1" }],
    ]);
    expect(records.every((r) => !("failoverRoutingPolicy" in r.properties))).toBe(true);
    const checks = plan.cloudResources.filter((r) => r.type === "aws:route53:HealthCheck");
    expect(checks.map((c) => c.properties.measureLatency)).toEqual([true, true, true]);
  });
});

describe("MultiRegionFailover values unknown at synth time", () => {
  it("passes the zone, the domain and Output hostnames through untouched", () => {
    const hostname = Promise.resolve("lb.example.com");
    const plan = planMultiRegionFailover("global", {
      ...base,
      hostedZoneId: pulumiOutput,
      domainName: ["$", "{TfToken[TOKEN.3]}"].join(""),
      regions: [east, { region: "us-west-2", endpoint: { hostname } }],
    });
    expect(plan.cloudResources[2]!.properties.fqdn).toBe(hostname);
    expect(plan.cloudResources[3]!.properties).toMatchObject({
      zoneId: pulumiOutput,
      name: ["$", "{TfToken[TOKEN.3]}"].join(""),
      records: [hostname],
    });
  });
});

describe("MultiRegionFailover endpoints", () => {
  it("takes any object exposing a hostname, such as a front-end's AutoscaledEndpoint component", () => {
    class RegionalEndpoint {
      readonly urn = "urn:pulumi:prod::infer::onnxfleet:AutoscaledEndpoint::resnet";
      readonly hostname = Promise.resolve("k8s-inference-resnet.elb.eu-west-1.amazonaws.com");
      readonly port = 8000;
      readonly protocol = "HTTP" as const;
      readonly scheme = "internet-facing" as const;
    }
    const endpoint = new RegionalEndpoint();
    const plan = planMultiRegionFailover("global", {
      ...base,
      regions: [east, { region: "eu-west-1", endpoint }],
    });
    expect(plan.cloudResources[2]!.properties).toMatchObject({
      fqdn: endpoint.hostname,
      type: "HTTP",
      port: 8000,
    });
  });
});

describe("MultiRegionFailover plans for any valid props", () => {
  const hostname = fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?\.elb\.amazonaws\.com$/);
  const regionList = fc.uniqueArray(fc.constantFrom(...AWS_REGIONS), { minLength: 2, maxLength: 6 });

  it("plans a guarded record per region; failover routing has exactly one PRIMARY", () => {
    fc.assert(
      fc.property(
        regionList,
        fc.uniqueArray(hostname, { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        (regions, hosts, latency) => {
          const chosen = latency ? regions : regions.slice(0, 2);
          const plan = planMultiRegionFailover("global", {
            ...base,
            routing: latency ? "latency" : "failover",
            regions: chosen.map((region, i) => ({ region, endpoint: { hostname: hosts[i]! } })),
          });
          const records = plan.cloudResources.filter((r) => r.type === "aws:route53:Record");
          const checks = plan.cloudResources.filter((r) => r.type === "aws:route53:HealthCheck");
          expect(records.map((r) => r.properties.setIdentifier)).toEqual(chosen);
          expect(records.map((r) => (r.properties.healthCheckId as { $ref: string }).$ref)).toEqual(
            checks.map((c) => c.logicalName),
          );
          expect(new Set(plan.cloudResources.map((r) => r.logicalName)).size).toBe(
            plan.cloudResources.length,
          );
          if (!latency) {
            const kinds = records.map((r) => (r.properties.failoverRoutingPolicy as { type: string }).type);
            expect(kinds.sort()).toEqual(["PRIMARY", "SECONDARY"]);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("MultiRegionFailover validation", () => {
  it("reports every problem at once", () => {
    expect(
      problems({
        ...base,
        domainName: "not a domain",
        regions: [
          { ...east, region: "us-east-9" },
          { ...west, role: "primary" },
        ],
        healthCheck: { intervalSeconds: 15, failureThreshold: 11, path: "v2/health/ready" },
      }),
    ).toEqual([
      'domainName ("not a domain") must be a fully qualified domain name such as "infer.example.com"',
      'healthCheck.path ("v2/health/ready") must start with "/" and hold at most 255 printable characters without spaces',
      "healthCheck.intervalSeconds (15) must be 10 or 30 (the request intervals Route53 offers)",
      "healthCheck.failureThreshold (11) must be an integer from 1 to 10",
      `regions[0].region ("us-east-9") is not an AWS region; allowed: us-east-1, us-east-2, us-west-1, us-west-2, af-south-1, ap-east-1, ap-east-2, ap-south-1, ap-south-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-6, ap-southeast-7, ca-central-1, ca-west-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, mx-central-1, sa-east-1`,
    ]);
  });

  it.each<[string, Partial<MultiRegionFailoverProps> | Record<string, unknown>, string]>([
    ["one region", { regions: [east] }, "regions (1 region) must list at least two regions"],
    ["no regions", { regions: undefined }, "regions (undefined) must list at least two regions"],
    [
      "three regions under failover routing",
      { regions: [east, west, europe] },
      "regions (3 regions) must list exactly two regions under failover routing",
    ],
    [
      "two primaries",
      {
        regions: [
          { ...east, role: "primary" },
          { ...west, role: "primary" },
        ],
      },
      "regions have 2 primaries",
    ],
    [
      "no primary",
      {
        regions: [
          { ...east, role: "secondary" },
          { ...west, role: "secondary" },
        ],
      },
      "regions have 0 primaries",
    ],
    [
      "a region twice",
      { regions: [east, { ...east, endpoint: west.endpoint }] },
      'regions[1].region ("us-east-1") is listed twice',
    ],
    [
      // #15 item 12: each record's health check must watch a distinct endpoint, or failover goes to itself
      // (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html).
      "two regions naming the same endpoint",
      { regions: [east, { ...west, endpoint: { hostname: "A-1.elb.us-east-1.amazonaws.com." } }] },
      'regions[1].endpoint.hostname ("a-1.elb.us-east-1.amazonaws.com") is the endpoint of regions[0] too',
    ],
    [
      "two regions naming the same unresolved endpoint",
      {
        routing: "latency",
        regions: [
          europe,
          { ...east, endpoint: { hostname: pulumiOutput } },
          { ...west, endpoint: { hostname: pulumiOutput } },
        ],
      },
      "regions[2].endpoint.hostname (an unresolved value) is the endpoint of regions[1] too",
    ],
    [
      "a role under latency routing",
      { routing: "latency", regions: [{ ...east, role: "primary" }, west] },
      'regions[0].role ("primary") applies to failover routing only',
    ],
    [
      "an endpoint without hostname",
      { regions: [east, { region: "us-west-2", endpoint: {} }] },
      "regions[1].endpoint.hostname is required",
    ],
    [
      "a bad hostname",
      { regions: [east, { region: "us-west-2", endpoint: { hostname: "http://x" } }] },
      'regions[1].endpoint.hostname ("http://x") must be a DNS name',
    ],
    [
      "an internal endpoint",
      { regions: [east, { ...west, endpoint: { ...west.endpoint, scheme: "internal" } }] },
      'regions[1].endpoint.scheme ("internal") cannot be health-checked: Route53 health checkers probe from the internet',
    ],
    [
      "a wrong scheme",
      { regions: [east, { ...west, endpoint: { ...west.endpoint, scheme: "public" } }] },
      'regions[1].endpoint.scheme ("public") must be one of "internal", "internet-facing"',
    ],
    ["routing", { routing: "weighted" }, 'routing ("weighted") must be one of "failover", "latency"'],
    [
      "protocol",
      { healthCheck: { protocol: "TCP" } },
      'healthCheck.protocol ("TCP") must be one of "HTTPS", "HTTP"',
    ],
    [
      "threshold 0",
      { healthCheck: { failureThreshold: 0 } },
      "healthCheck.failureThreshold (0) must be an integer from 1 to 10",
    ],
    [
      "port",
      { healthCheck: { port: 70_000 } },
      "healthCheck.port (70000) must be an integer from 1 to 65535",
    ],
    ["negative TTL", { ttlSeconds: -1 }, "ttlSeconds (-1) must be an integer from 0 to 2147483647"],
    [
      "zone id",
      { hostedZoneId: "example.com" },
      'hostedZoneId ("example.com") must be a Route53 hosted zone id',
    ],
    ["missing zone", { hostedZoneId: undefined }, "hostedZoneId is required"],
  ])("refuses %s", (_, override, expected) => {
    expect(problems({ ...base, ...override }).join("\n")).toContain(expected);
  });

  it("refuses unknown props, suggesting the intended one", () => {
    expect(
      problems({
        ...base,
        ttl: 30,
        healthCheck: { interval: 10 },
        regions: [east, { ...west, primary: true }],
      }),
    ).toEqual([
      'ttl is not a prop (did you mean "ttlSeconds"?); allowed: hostedZoneId, domainName, routing, regions, healthCheck, ttlSeconds, maxFailoverSeconds, peakRequestsPerSecond, alarms',
      'healthCheck.interval is not a prop (did you mean "intervalSeconds"?); allowed: path, protocol, port, intervalSeconds, failureThreshold',
      "regions[1].primary is not a prop; allowed: region, endpoint, role",
    ]);
  });

  it("refuses names that are not DNS-1123 labels", () => {
    expect(problems(base, "Global")[0]).toContain('name ("Global") must be a DNS-1123 label');
  });
});
