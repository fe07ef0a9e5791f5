/**
 * AWS regions of the commercial partition (`aws`) where Route53 health checks, latency records and EKS
 * are offered. GovCloud and China use other partitions and are not planned by onnxfleet.
 */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
] as const;

/** An AWS region code of the commercial partition, e.g. `us-east-1`. */
export type AwsRegion = (typeof AWS_REGIONS)[number];

/** True when `value` is a region in {@link AWS_REGIONS}. */
export function isAwsRegion(value: unknown): value is AwsRegion {
  return typeof value === "string" && (AWS_REGIONS as readonly string[]).includes(value);
}
