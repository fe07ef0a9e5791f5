/**
 * IPv4 ranges Route53 health checkers probe from (the `ROUTE53_HEALTHCHECKS` entries of AWS's published
 * ip-ranges.json, commercial partition). An endpoint behind a source-range allow list must admit them, or
 * every health check fails and Route53 keeps answering with a dead region.
 *
 * Source: https://ip-ranges.amazonaws.com/ip-ranges.json (syncToken 1787411825, createDate
 * 2026-08-22-15-17-05), as AWS documents in "IP address ranges of Amazon Route 53 servers",
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-ip-addresses.html. AWS changes these
 * ranges rarely; refresh this table from the file when it does (search it for "ROUTE53_HEALTHCHECKS").
 */

/** When the table was taken from ip-ranges.json. */
export const ROUTE53_HEALTH_CHECKER_RANGES_AS_OF = "2026-08-22";

/**
 * The regions Route53 health checkers run in, each with its published ranges. A health check planned by
 * onnxfleet names exactly these regions, so no checker outside this table ever probes.
 */
export const ROUTE53_HEALTH_CHECKER_REGION_RANGES = {
  "us-east-1": ["107.23.255.0/26", "54.243.31.192/26"],
  "us-west-1": ["54.183.255.128/26", "54.241.32.64/26"],
  "us-west-2": ["54.244.52.192/26", "54.245.168.0/26"],
  "eu-west-1": ["176.34.159.192/26", "54.228.16.0/26"],
  "ap-southeast-1": ["54.251.31.128/26", "54.255.254.192/26"],
  "ap-southeast-2": ["54.252.254.192/26", "54.252.79.128/26"],
  "ap-northeast-1": ["54.248.220.0/26", "54.250.253.192/26"],
  "sa-east-1": ["177.71.207.128/26", "54.232.40.64/26"],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** Route53 health checker regions, in the table's order. */
export type Route53HealthCheckerRegion = keyof typeof ROUTE53_HEALTH_CHECKER_REGION_RANGES;
export const ROUTE53_HEALTH_CHECKER_REGIONS = Object.keys(
  ROUTE53_HEALTH_CHECKER_REGION_RANGES,
) as readonly Route53HealthCheckerRegion[];

/** The range ip-ranges.json lists for health checkers with region `GLOBAL` (used from every region). */
export const ROUTE53_HEALTH_CHECKER_GLOBAL_RANGES = ["15.177.0.0/18"] as const;

/** Every IPv4 range a Route53 health check planned by onnxfleet may come from. */
export function route53HealthCheckerRanges(): readonly string[] {
  return [
    ...ROUTE53_HEALTH_CHECKER_GLOBAL_RANGES,
    ...ROUTE53_HEALTH_CHECKER_REGIONS.flatMap((region) => ROUTE53_HEALTH_CHECKER_REGION_RANGES[region]),
  ];
}
