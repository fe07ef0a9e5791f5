/**
 * On-demand list prices of the catalogued GPU instance types, per region, for the rough hourly cost
 * `onnxfleet plan` prints. Linux, shared tenancy, US dollars per hour. Every price carries the date it was
 * read and its source. US East (N. Virginia) holds every catalogued type, as listed on
 * https://aws.amazon.com/ec2/pricing/on-demand/ (a third-party snapshot of June 2026,
 * https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/, agrees on
 * g5.xlarge at $1.006). Other regions hold only the types read from a dated source (`REGIONAL_PRICES`);
 * a type or region without a price is reported as such, never priced from another region. The
 * p4d/p4de/p5 families were repriced in 2025 and are left out rather than guessed.
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

/** A list price and where it comes from. */
export interface OnDemandPrice {
  readonly usdPerHour: number;
  /** When the price was read (ISO month or date). */
  readonly asOf: string;
  /** Where it was read. */
  readonly source: string;
}

/**
 * Prices outside us-east-1, from SkyPilot's catalog of the AWS Price List API (its `Price` column: Linux
 * on-demand, per region), file `catalogs/v8/aws/vms.csv` at commit 00148f2a, read on 2026-12-02. Its
 * us-east-1 rows agree with the list above (g4dn.xlarge $0.526, g5.xlarge $1.006, g5.8xlarge $2.448).
 */
const SKYPILOT_CATALOG =
  "https://github.com/skypilot-org/skypilot-catalog/blob/00148f2af3672e2229b4f7bf8157d5a3f36e3c35/catalogs/v8/aws/vms.csv";
const SKYPILOT_READ_ON = "2026-12-02";

const REGIONAL_USD_PER_HOUR: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "us-east-2": { "g4dn.xlarge": 0.526, "g5.xlarge": 1.006, "g5.8xlarge": 2.448 },
  "us-west-2": { "g4dn.xlarge": 0.526, "g5.xlarge": 1.006, "g5.8xlarge": 2.448 },
  "us-west-1": { "g4dn.xlarge": 0.631 },
  "ca-central-1": { "g5.xlarge": 1.117 },
  "eu-west-1": { "g4dn.xlarge": 0.587, "g5.xlarge": 1.123, "g5.12xlarge": 6.33167 },
  "eu-west-2": { "g4dn.xlarge": 0.615, "g5.xlarge": 1.277 },
  "eu-west-3": { "g4dn.xlarge": 0.615 },
  "eu-central-1": { "g4dn.xlarge": 0.658, "g5.xlarge": 1.258, "g5.12xlarge": 7.09282 },
  "eu-north-1": { "g4dn.xlarge": 0.558, "g5.xlarge": 1.067, "g5.12xlarge": 6.01593 },
  "ap-northeast-1": { "g5.xlarge": 1.459, "g5.12xlarge": 8.22609 },
  "ap-northeast-2": { "g5.xlarge": 1.237, "g5.12xlarge": 6.97442 },
  "ap-south-1": { "g5.xlarge": 1.208, "g5.12xlarge": 6.81091 },
  "ap-southeast-2": { "g5.xlarge": 1.308, "g5.12xlarge": 7.37473 },
};

/**
 * The on-demand list price of `instanceType` in `region` in USD per hour, or `undefined` when the catalog
 * has none for that region.
 * @param region - AWS region code. @default "us-east-1"
 */
export function onDemandUsdPerHour(instanceType: string, region = GPU_PRICES_REGION): number | undefined {
  return onDemandPrice(instanceType, region)?.usdPerHour;
}

/** The price of `instanceType` in `region` with its date and source, or `undefined` when there is none. */
export function onDemandPrice(instanceType: string, region: string): OnDemandPrice | undefined {
  if (region === GPU_PRICES_REGION) {
    const usdPerHour = Object.hasOwn(ON_DEMAND_USD_PER_HOUR, instanceType)
      ? ON_DEMAND_USD_PER_HOUR[instanceType]
      : undefined;
    return usdPerHour === undefined
      ? undefined
      : { usdPerHour, asOf: GPU_PRICES_AS_OF, source: GPU_PRICES_SOURCE };
  }
  const list = Object.hasOwn(REGIONAL_USD_PER_HOUR, region) ? REGIONAL_USD_PER_HOUR[region] : undefined;
  const usdPerHour = list && Object.hasOwn(list, instanceType) ? list[instanceType] : undefined;
  return usdPerHour === undefined
    ? undefined
    : { usdPerHour, asOf: SKYPILOT_READ_ON, source: SKYPILOT_CATALOG };
}
