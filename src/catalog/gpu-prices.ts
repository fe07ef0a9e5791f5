/**
 * On-demand list prices of the catalogued GPU instance types, for the rough hourly cost `onnxfleet plan`
 * prints. Linux, shared tenancy, US East (N. Virginia), in US dollars per hour, as listed on
 * https://aws.amazon.com/ec2/pricing/on-demand/ (a third-party snapshot of June 2026,
 * https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/, agrees on
 * g5.xlarge at $1.006). Prices differ by region and change; the p4d/p4de/p5 families were repriced in 2025
 * and are left out rather than guessed: `plan` says "no list price" for them.
 */

/** When the prices below were taken from the list. */
export const GPU_PRICES_AS_OF = "2026-06";
/** The region whose list the prices come from. */
export const GPU_PRICES_REGION = "us-east-1";
/** Where they come from. */
export const GPU_PRICES_SOURCE = "https://aws.amazon.com/ec2/pricing/on-demand/";

const ON_DEMAND_USD_PER_HOUR: Readonly<Record<string, number>> = {
  "g4dn.xlarge": 0.526,
  "g4dn.2xlarge": 0.752,
  "g4dn.4xlarge": 1.204,
  "g4dn.8xlarge": 2.176,
  "g4dn.12xlarge": 3.912,
  "g4dn.16xlarge": 4.352,
  "g4dn.metal": 7.824,
  "g5.xlarge": 1.006,
  "g5.2xlarge": 1.212,
  "g5.4xlarge": 1.624,
  "g5.8xlarge": 2.448,
  "g5.12xlarge": 5.672,
  "g5.16xlarge": 4.096,
  "g5.24xlarge": 8.144,
  "g5.48xlarge": 16.288,
  "g6.xlarge": 0.8048,
  "g6.2xlarge": 0.9776,
  "g6.4xlarge": 1.3232,
  "g6.8xlarge": 2.0144,
  "g6.12xlarge": 4.6016,
  "g6.16xlarge": 3.3968,
  "g6.24xlarge": 6.6752,
  "g6.48xlarge": 13.3504,
  "g6e.xlarge": 1.861,
  "g6e.2xlarge": 2.24208,
  "g6e.4xlarge": 3.00424,
  "g6e.8xlarge": 4.52856,
  "g6e.12xlarge": 10.49264,
  "g6e.16xlarge": 7.57719,
  "g6e.24xlarge": 15.06559,
  "g6e.48xlarge": 30.13118,
  "p3.2xlarge": 3.06,
  "p3.8xlarge": 12.24,
  "p3.16xlarge": 24.48,
  "p3dn.24xlarge": 31.212,
};

/** The on-demand list price of `instanceType` in USD per hour, or `undefined` when the catalog has none. */
export function onDemandUsdPerHour(instanceType: string): number | undefined {
  return ON_DEMAND_USD_PER_HOUR[instanceType];
}
