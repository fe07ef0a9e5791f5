/**
 * MultiRegionFailover's CloudWatch alarms: one per Route53 health check, on the HealthCheckStatus metric,
 * created in us-east-1 (the only region where Route53 publishes it), optionally notifying an SNS topic.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
import { describe, expect, it } from "vitest";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import type { MultiRegionFailoverProps } from "../../src/specs/multi-region-failover";
import { pulumiOutput } from "./support/fixtures";

const base: MultiRegionFailoverProps = {
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  domainName: "infer.example.com",
  regions: [
    { region: "eu-west-1", endpoint: { hostname: "a.elb.eu-west-1.amazonaws.com" } },
    { region: "ap-southeast-2", endpoint: { hostname: "b.elb.ap-southeast-2.amazonaws.com" } },
  ],
};
const alarmsOf = (props: MultiRegionFailoverProps) =>
  planMultiRegionFailover("global", props).cloudResources.filter(
    (r) => r.type === "aws:cloudwatch:MetricAlarm",
  );

describe("MultiRegionFailover health-check alarms", () => {
  it("one alarm per region's health check, on AWS/Route53 HealthCheckStatus, in us-east-1 whatever the regions", () => {
    const alarms = alarmsOf(base);
    expect(alarms.map((a) => a.logicalName)).toEqual([
      "global-eu-west-1-health-alarm",
      "global-ap-southeast-2-health-alarm",
    ]);
    expect(alarms[0]!.properties).toMatchObject({
      region: "us-east-1",
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: { $ref: "global-eu-west-1-health-check", attribute: "id" } },
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
      alarmActions: [],
      okActions: [],
    });
    expect(alarms[1]!.properties.dimensions).toEqual({
      HealthCheckId: { $ref: "global-ap-southeast-2-health-check", attribute: "id" },
    });
  });

  it("notifies an SNS topic on failure and recovery, a known ARN or an unresolved one", () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:oncall";
    const [alarm] = alarmsOf({ ...base, alarms: { snsTopicArn: topic, evaluationMinutes: 3 } });
    expect(alarm!.properties).toMatchObject({
      alarmActions: [topic],
      okActions: [topic],
      evaluationPeriods: 3,
    });
    const output = pulumiOutput("topic");
    const [lazy] = alarmsOf({ ...base, alarms: { snsTopicArn: output as never } });
    expect(lazy!.properties.alarmActions).toEqual([output]);
  });

  it("can be turned off", () => {
    expect(alarmsOf({ ...base, alarms: { enabled: false } })).toEqual([]);
  });

  it("refuses a topic outside us-east-1 (an alarm cannot notify another region's topic) and unknown keys", () => {
    expect(() =>
      planMultiRegionFailover("global", {
        ...base,
        alarms: { snsTopicArn: "arn:aws:sns:eu-west-1:123456789012:oncall", evaluationMinute: 2 } as never,
      }),
    ).toThrow(
      /alarms\.evaluationMinute is not a prop \(did you mean "evaluationMinutes"\?\)[\s\S]*alarms\.snsTopicArn \("arn:aws:sns:eu-west-1:123456789012:oncall"\) must be the ARN of an SNS topic in us-east-1/,
    );
  });
});
