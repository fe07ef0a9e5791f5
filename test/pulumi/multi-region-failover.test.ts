import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { MultiRegionFailover } from "../../constructs/pulumi";
import { ERROR_CODES } from "../../src/errors";
import { recordResources, resolved } from "./harness";

const recording = recordResources();
beforeEach(() => recording.reset());

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const east = "lb-east.elb.us-east-1.amazonaws.com";
const west = "lb-west.elb.us-west-2.amazonaws.com";
const base = {
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  domainName: "infer.example.com",
  healthCheck: { path: "/v2/health/ready", intervalSeconds: 10 as const, failureThreshold: 3 },
  ttlSeconds: 30,
  maxFailoverSeconds: 60,
};

describe("MultiRegionFailover (failover routing)", () => {
  it("creates a health check and a PRIMARY/SECONDARY record per region, parented, on the given provider", async () => {
    const provider = new aws.Provider("aws-global", { region: "us-east-1" });
    const failover = new MultiRegionFailover(
      "resnet-global",
      {
        ...base,
        routing: "failover",
        regions: [
          { region: "us-east-1", endpoint: { hostname: east } },
          { region: "us-west-2", endpoint: { hostname: pulumi.output(west) } },
        ],
      },
      { providers: { aws: provider } },
    );
    await recording.settle();

    const component = recording.get("onnxfleet:index:MultiRegionFailover", "resnet-global");
    const children = recording.childrenOf(component);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${HEALTH_CHECK} resnet-global-us-east-1-health-check`,
        `${HEALTH_CHECK} resnet-global-us-west-2-health-check`,
        `${RECORD} resnet-global-us-east-1-record`,
        `${RECORD} resnet-global-us-west-2-record`,
        `${ALARM} resnet-global-us-east-1-health-alarm`,
        `${ALARM} resnet-global-us-west-2-health-alarm`,
      ].sort(),
    );
    const providerUrn = await resolved(provider.urn);
    for (const child of children) expect(child.provider.startsWith(`${providerUrn}::`)).toBe(true);

    const westCheck = recording.get(HEALTH_CHECK, "resnet-global-us-west-2-health-check");
    expect(westCheck.inputs).toMatchObject({
      fqdn: west,
      resourcePath: "/v2/health/ready",
      requestInterval: 10,
      failureThreshold: 3,
    });
    const records = recording
      .ofType(RECORD)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => r.inputs);
    expect(records).toEqual([
      expect.objectContaining({
        zoneId: base.hostedZoneId,
        name: "infer.example.com",
        type: "CNAME",
        ttl: 30,
        records: [east],
        setIdentifier: "us-east-1",
        healthCheckId: "resnet-global-us-east-1-health-check-id",
        failoverRoutingPolicies: [{ type: "PRIMARY" }],
      }),
      expect.objectContaining({
        records: [west],
        setIdentifier: "us-west-2",
        healthCheckId: "resnet-global-us-west-2-health-check-id",
        failoverRoutingPolicies: [{ type: "SECONDARY" }],
      }),
    ]);
    expect(await resolved(failover.healthCheckIds["us-west-2"]!)).toBe(
      "resnet-global-us-west-2-health-check-id",
    );
    expect(failover.worstCaseFailoverSeconds).toBe(10 * 3 + 30);
  });
});

describe("MultiRegionFailover (latency routing)", () => {
  it("routes each record by its region's latency", async () => {
    new MultiRegionFailover("resnet-global", {
      ...base,
      routing: "latency",
      regions: [
        { region: "us-east-1", endpoint: { hostname: east } },
        { region: "eu-west-1", endpoint: { hostname: west } },
      ],
    });
    await recording.settle();

    const byName = (name: string) => recording.get(RECORD, `resnet-global-${name}-record`).inputs;
    const records = [byName("us-east-1"), byName("eu-west-1")];
    expect(records.map((r) => r.latencyRoutingPolicies)).toEqual([
      [{ region: "us-east-1" }],
      [{ region: "eu-west-1" }],
    ]);
    expect(records.every((r) => r.failoverRoutingPolicies === undefined)).toBe(true);
  });
});

describe("MultiRegionFailover (invalid props)", () => {
  it("refuses a health check and TTL that cannot fail over within maxFailoverSeconds, showing the arithmetic", () => {
    const regions = [
      { region: "us-east-1" as const, endpoint: { hostname: east } },
      { region: "us-west-2" as const, endpoint: { hostname: west } },
    ];
    expect(
      () =>
        new MultiRegionFailover("resnet-global", {
          ...base,
          healthCheck: { ...base.healthCheck, intervalSeconds: 30 },
          regions,
        }),
    ).toThrow(
      expect.objectContaining({
        errors: [expect.objectContaining({ propertyPath: "maxFailoverSeconds" })],
        cause: expect.objectContaining({ code: ERROR_CODES.INVALID_PROPS }),
        message:
          'MultiRegionFailover "resnet-global": maxFailoverSeconds (60) cannot be met: ' +
          "healthCheck.intervalSeconds (30) x failureThreshold (3) + ttlSeconds (30) = 120 s",
      }),
    );
    expect(recording.resources).toEqual([]);
  });
});

describe("MultiRegionFailover health-check alarms under Pulumi", () => {
  it("creates each alarm in us-east-1 (the resource's region input) even under a eu-west-1 provider", async () => {
    const provider = new aws.Provider("aws-eu", { region: "eu-west-1" });
    new MultiRegionFailover(
      "resnet-global",
      {
        ...base,
        regions: [
          { region: "eu-west-1", endpoint: { hostname: east } },
          { region: "eu-central-1", endpoint: { hostname: west } },
        ],
        alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall" },
      },
      { providers: { aws: provider } },
    );
    await recording.settle();
    const alarm = recording.get(ALARM, "resnet-global-eu-west-1-health-alarm");
    expect(alarm.inputs).toMatchObject({
      region: "us-east-1",
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      alarmActions: ["arn:aws:sns:us-east-1:123456789012:oncall"],
    });
    // The dimension is the created health check's id (the mocks' `<name>-id`), wired by the front-end.
    expect(alarm.inputs.dimensions).toEqual({ HealthCheckId: "resnet-global-eu-west-1-health-check-id" });
  });
});
