/**
 * The `alarms` option of a MultiRegionFailover: a CloudWatch alarm per Route53 health check, so a region
 * going unhealthy (and traffic failing over) is seen, not only survived. Props, defaults and validation.
 */
import type { Lazy } from "../lazy";
import { show, type Validator } from "../validate";
import { checkIntegerRange, checkKnownKeys, propNames } from "./common";

/** CloudWatch alarms on the health checks. */
export interface FailoverAlarmsProps {
  /**
   * Create a CloudWatch alarm per region's health check (in us-east-1, where Route53 publishes the metric).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * ARN of an SNS topic in us-east-1 that the alarms notify when a health check fails and again when it
   * recovers. A CloudWatch alarm can only notify a topic in its own region.
   * @default - no notification: the alarms show in the CloudWatch console (us-east-1)
   */
  readonly snsTopicArn?: Lazy<string>;
  /**
   * Consecutive minutes the health check must report unhealthy before the alarm fires.
   * @default 1
   */
  readonly evaluationMinutes?: number;
}

/** Validated alarm settings. */
export interface FailoverAlarmsSpec {
  readonly enabled: boolean;
  readonly snsTopicArn?: Lazy<string>;
  readonly evaluationMinutes: number;
}

const FAILOVER_ALARMS_PROPS = propNames<FailoverAlarmsProps>({
  enabled: true,
  snsTopicArn: true,
  evaluationMinutes: true,
});
/** An SNS topic ARN in us-east-1 (any partition with that region name, any account). */
const US_EAST_1_TOPIC_ARN = /^arn:aws[-a-z]*:sns:us-east-1:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Validates `alarms` and applies the defaults. */
export function resolveFailoverAlarms(
  check: Validator,
  props: FailoverAlarmsProps | undefined,
): FailoverAlarmsSpec {
  const a = props ?? {};
  checkKnownKeys(check, "alarms", props, FAILOVER_ALARMS_PROPS);
  const enabled = a.enabled ?? true;
  check.that(typeof enabled === "boolean", "alarms.enabled", `(${show(enabled)}) must be a boolean`);
  check.ifKnown(a.snsTopicArn, (arn) =>
    check.that(
      typeof arn === "string" && US_EAST_1_TOPIC_ARN.test(arn),
      "alarms.snsTopicArn",
      `(${show(arn)}) must be the ARN of an SNS topic in us-east-1, where the alarms live ` +
        '(e.g. "arn:aws:sns:us-east-1:123456789012:oncall"); an alarm cannot notify a topic in another region',
    ),
  );
  const evaluationMinutes = a.evaluationMinutes ?? 1;
  checkIntegerRange(check, "alarms.evaluationMinutes", evaluationMinutes, 1, 1440);
  return {
    enabled,
    evaluationMinutes,
    ...(a.snsTopicArn !== undefined ? { snsTopicArn: a.snsTopicArn } : {}),
  };
}
