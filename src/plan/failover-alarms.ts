/**
 * A CloudWatch alarm per Route53 health check of a MultiRegionFailover: it fires when the region's endpoint
 * turns unhealthy (the moment traffic fails over) and, with an SNS topic, notifies on failure and recovery.
 *
 * Route53 publishes its health-check metrics (`HealthCheckStatus`, namespace `AWS/Route53`, dimension
 * `HealthCheckId`) only in US East (N. Virginia), so the alarm must live in us-east-1 whichever region the
 * deployment's provider targets:
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-cloudwatch.html
 * The plan says so with the resource-level `region` input, which both front-ends' AWS providers take on every
 * resource (@pulumi/aws 7, Terraform AWS provider 6 / @cdktf/provider-aws 21): the alarm is created in
 * us-east-1 with the credentials of the provider the user passed.
 */
import { multiRegionFailoverNames } from "../naming-gpu-pool-failover";
import type { MultiRegionFailoverSpec } from "../specs/resolve-multi-region-failover";
import { plannedCloudResource } from "./cloud-resource-types";
import { type CloudResourcePlan, cloudRef } from "./types";

/** The only region where Route53 health-check metrics exist. */
export const ROUTE53_METRICS_REGION = "us-east-1";
/** The metric: 1 while Route53 considers the endpoint healthy, 0 when not. */
export const ROUTE53_HEALTH_METRIC = { namespace: "AWS/Route53", metricName: "HealthCheckStatus" } as const;

/** The alarms of every region (none when `alarms.enabled` is false). */
export function planFailoverAlarms(spec: MultiRegionFailoverSpec): CloudResourcePlan[] {
  const alarms = spec.alarms;
  if (!alarms.enabled) return [];
  const actions = alarms.snsTopicArn !== undefined ? [alarms.snsTopicArn] : [];
  return spec.regions.map((region) => {
    const names = multiRegionFailoverNames(spec.name, region.region);
    return plannedCloudResource<"aws:cloudwatch:MetricAlarm">({
      type: "aws:cloudwatch:MetricAlarm",
      logicalName: names.healthAlarm,
      properties: {
        region: ROUTE53_METRICS_REGION,
        alarmName: `${spec.name}-${region.region}-health`,
        alarmDescription:
          `onnxfleet MultiRegionFailover "${spec.name}": the ${region.region} endpoint fails its Route53 health ` +
          `check (${spec.healthCheck.path}); DNS now sends its clients elsewhere. Runbook: docs/operations.md, ` +
          '"Failover alarms".',
        namespace: ROUTE53_HEALTH_METRIC.namespace,
        metricName: ROUTE53_HEALTH_METRIC.metricName,
        dimensions: { HealthCheckId: cloudRef(names.healthCheck, "id") },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: alarms.evaluationMinutes,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        // No data means Route53 stopped reporting the check (deleted, disabled): treat it as unhealthy.
        treatMissingData: "breaching",
        alarmActions: actions,
        okActions: actions,
        tags: { Name: `${spec.name}-${region.region}` },
      },
    });
  });
}
