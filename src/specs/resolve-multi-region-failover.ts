/**
 * MultiRegionFailover props -> validated spec with every default applied, including the failover-time budget
 * and the N+1 capacity check. All problems are collected and thrown at once as a ValidationError.
 */
import { failoverBudget } from "../capacity/failover";
import type { NPlusOneVerdict } from "../capacity/n-plus-one";
import { AWS_REGIONS, type AwsRegion, isAwsRegion } from "../catalog/aws-regions";
import {
  ROUTE53_HEALTH_CHECKER_RANGES_AS_OF,
  route53HealthCheckerRanges,
} from "../catalog/route53-health-checkers";
import { isUnresolved, type Lazy } from "../lazy";
import { show, Validator } from "../validate";
import { ENDPOINT_SCHEMES } from "./autoscaled-endpoint";
import { ipv4RangesNotCovered } from "./cidr";
import { checkDns1123Label, checkIntegerRange, checkKnownKeys, checkOneOf, propNames } from "./common";
import { type FailoverAlarmsSpec, resolveFailoverAlarms } from "./failover-alarms";
import { checkFailoverCapacity } from "./failover-capacity";
import {
  FAILOVER_ROLES,
  FAILOVER_ROUTINGS,
  type FailoverEndpoint,
  type FailoverHealthCheckProps,
  type FailoverRegionProps,
  type FailoverRole,
  type FailoverRouting,
  HEALTH_CHECK_INTERVALS_SECONDS,
  HEALTH_CHECK_PROTOCOLS,
  type HealthCheckIntervalSeconds,
  type HealthCheckProtocol,
  type MultiRegionFailoverProps,
} from "./multi-region-failover";

/** The construct's name in error messages: `MultiRegionFailover "name": path reason`. */
export const MULTI_REGION_FAILOVER = "MultiRegionFailover";

/** One region of a validated spec. */
export interface FailoverRegionSpec {
  readonly region: AwsRegion;
  readonly hostname: Lazy<string>;
  /** `primary`/`secondary` under failover routing; undefined under latency routing. */
  readonly role: FailoverRole | undefined;
  /** Protocol of the region's health check. */
  readonly healthCheckProtocol: HealthCheckProtocol;
  /** Port of the region's health check. */
  readonly healthCheckPort: Lazy<number>;
}

/** Validated {@link MultiRegionFailoverProps} with every default applied. */
export interface MultiRegionFailoverSpec {
  readonly name: string;
  readonly hostedZoneId: Lazy<string>;
  readonly domainName: Lazy<string>;
  readonly routing: FailoverRouting;
  readonly regions: readonly FailoverRegionSpec[];
  readonly healthCheck: {
    readonly path: string;
    readonly intervalSeconds: HealthCheckIntervalSeconds;
    readonly failureThreshold: number;
  };
  readonly ttlSeconds: number;
  readonly maxFailoverSeconds: number | undefined;
  /** `intervalSeconds x failureThreshold + ttlSeconds`. */
  readonly worstCaseFailoverSeconds: number;
  /** The N+1 verdict when the regions declare capacity (a refused one throws instead). */
  readonly nPlusOne?: NPlusOneVerdict;
  /** The health checks' CloudWatch alarms. */
  readonly alarms: FailoverAlarmsSpec;
}

const MULTI_REGION_FAILOVER_PROPS = propNames<MultiRegionFailoverProps>({
  hostedZoneId: true,
  domainName: true,
  routing: true,
  regions: true,
  healthCheck: true,
  ttlSeconds: true,
  maxFailoverSeconds: true,
  peakRequestsPerSecond: true,
  alarms: true,
});
const HEALTH_CHECK_PROPS = propNames<FailoverHealthCheckProps>({
  path: true,
  protocol: true,
  port: true,
  intervalSeconds: true,
  failureThreshold: true,
});

const DOMAIN_NAME =
  /^(?=.{1,253}\.?$)([a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?\.?$/i;

/**
 * Validates `props` of the MultiRegionFailover `name` (every problem at once) and applies the defaults,
 * including the failover-time budget.
 * @throws ValidationError listing every problem.
 */
export function resolveMultiRegionFailoverSpec(
  name: string,
  props: MultiRegionFailoverProps,
): MultiRegionFailoverSpec {
  const check = new Validator(MULTI_REGION_FAILOVER, name);
  if (props === null || typeof props !== "object") {
    check.add("props", `(${show(props)}) must be an object`);
    check.throwIfAny();
  }
  checkDns1123Label(check, "name", name);
  checkKnownKeys(check, "", props, MULTI_REGION_FAILOVER_PROPS);
  if (props.hostedZoneId === undefined) check.add("hostedZoneId", "is required: the Route53 hosted zone id");
  check.ifKnown(props.hostedZoneId, (zone) =>
    check.that(
      typeof zone === "string" && /^(\/hostedzone\/)?Z[A-Z0-9]{1,31}$/.test(zone),
      "hostedZoneId",
      `(${show(zone)}) must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ"`,
    ),
  );
  if (props.domainName === undefined) check.add("domainName", "is required: the DNS name clients use");
  check.ifKnown(props.domainName, (domain) =>
    check.that(
      typeof domain === "string" && DOMAIN_NAME.test(domain),
      "domainName",
      `(${show(domain)}) must be a fully qualified domain name such as "infer.example.com"`,
    ),
  );
  const routing = props.routing ?? "failover";
  checkOneOf(check, "routing", props.routing, FAILOVER_ROUTINGS);

  const healthCheck = props.healthCheck ?? {};
  checkHealthCheck(check, healthCheck);
  checkIntegerRange(check, "ttlSeconds", props.ttlSeconds, 0, 2_147_483_647);
  checkIntegerRange(check, "maxFailoverSeconds", props.maxFailoverSeconds, 1, 2_147_483_647);
  const regions = checkRegions(check, props.regions, routing, healthCheck);
  const alarms = resolveFailoverAlarms(check, props.alarms);

  const intervalSeconds = healthCheck.intervalSeconds ?? 10;
  const failureThreshold = healthCheck.failureThreshold ?? 3;
  const ttlSeconds = props.ttlSeconds ?? 30;
  const budget = failoverBudget({ intervalSeconds, failureThreshold, ttlSeconds });
  if (
    !check.hasProblems &&
    props.maxFailoverSeconds !== undefined &&
    budget.seconds > props.maxFailoverSeconds
  )
    check.add("maxFailoverSeconds", `(${props.maxFailoverSeconds}) cannot be met: ${budget.arithmetic}`);
  const nPlusOne = Array.isArray(props.regions)
    ? checkFailoverCapacity(
        check,
        routing,
        props.regions.map((entry) => ({ region: entry?.region, capacity: entry?.endpoint?.capacity })),
        props.peakRequestsPerSecond,
      )
    : undefined;
  check.throwIfAny();

  return {
    name,
    hostedZoneId: props.hostedZoneId,
    domainName: props.domainName,
    routing,
    regions,
    healthCheck: {
      path: healthCheck.path ?? "/v2/health/ready",
      intervalSeconds,
      failureThreshold,
    },
    ttlSeconds,
    maxFailoverSeconds: props.maxFailoverSeconds,
    worstCaseFailoverSeconds: budget.seconds,
    ...(nPlusOne ? { nPlusOne } : {}),
    alarms,
  };
}

function checkHealthCheck(check: Validator, healthCheck: FailoverHealthCheckProps): void {
  if (healthCheck === null || typeof healthCheck !== "object") {
    check.add("healthCheck", `(${show(healthCheck)}) must be an object`);
    return;
  }
  checkKnownKeys(check, "healthCheck", healthCheck, HEALTH_CHECK_PROPS);
  check.ifKnown(healthCheck.path, (path) =>
    check.that(
      typeof path === "string" && /^\/[\x21-\x7e]{0,254}$/.test(path),
      "healthCheck.path",
      `(${show(path)}) must start with "/" and hold at most 255 printable characters without spaces`,
    ),
  );
  checkOneOf(check, "healthCheck.protocol", healthCheck.protocol, HEALTH_CHECK_PROTOCOLS);
  checkIntegerRange(check, "healthCheck.port", healthCheck.port, 1, 65_535);
  check.ifKnown(healthCheck.intervalSeconds, (interval) =>
    check.that(
      HEALTH_CHECK_INTERVALS_SECONDS.includes(interval),
      "healthCheck.intervalSeconds",
      `(${show(interval)}) must be 10 or 30 (the request intervals Route53 offers)`,
    ),
  );
  checkIntegerRange(check, "healthCheck.failureThreshold", healthCheck.failureThreshold, 1, 10);
}

function checkRegions(
  check: Validator,
  regions: readonly FailoverRegionProps[] | undefined,
  routing: FailoverRouting,
  healthCheck: FailoverHealthCheckProps,
): FailoverRegionSpec[] {
  if (!Array.isArray(regions) || regions.length < 2) {
    check.add(
      "regions",
      `(${Array.isArray(regions) ? `${regions.length} region${regions.length === 1 ? "" : "s"}` : show(regions)}) must list at least two regions`,
    );
    return [];
  }
  if (routing === "failover" && regions.length !== 2)
    check.add(
      "regions",
      `(${regions.length} regions) must list exactly two regions under failover routing (Route53 has one ` +
        'PRIMARY and one SECONDARY record per name); use routing "latency" for more',
    );
  const seen = new Set<string>();
  regions.forEach((entry, i) => {
    const path = `regions[${i}]`;
    if (entry === null || typeof entry !== "object") {
      check.add(path, `(${show(entry)}) must be an object { region, endpoint, role? }`);
      return;
    }
    checkKnownKeys(
      check,
      path,
      entry,
      propNames<FailoverRegionProps>({ region: true, endpoint: true, role: true }),
    );
    if (!isAwsRegion(entry.region))
      check.add(
        `${path}.region`,
        `(${show(entry.region)}) is not an AWS region; allowed: ${AWS_REGIONS.join(", ")}`,
      );
    else if (seen.has(entry.region)) check.add(`${path}.region`, `(${show(entry.region)}) is listed twice`);
    seen.add(entry.region);
    checkEndpoint(check, `${path}.endpoint`, entry.endpoint);
    checkEndpointListedOnce(check, regions, i);
    checkOneOf(check, `${path}.role`, entry.role, FAILOVER_ROLES);
    if (routing === "latency" && entry.role !== undefined)
      check.add(`${path}.role`, `(${show(entry.role)}) applies to failover routing only; remove it`);
  });
  const roles: (FailoverRole | undefined)[] =
    routing === "failover" ? assignRoles(regions) : regions.map(() => undefined);
  if (routing === "failover" && regions.length === 2) {
    const primaries = roles.filter((role) => role === "primary").length;
    if (primaries !== 1)
      check.add(
        "regions",
        `have ${primaries} primaries; failover routing needs exactly one region with role "primary"`,
      );
  }
  return regions.map((entry, i) => {
    const protocol = healthCheck.protocol ?? entry?.endpoint?.protocol ?? "HTTP";
    return {
      region: entry?.region,
      hostname: entry?.endpoint?.hostname,
      role: roles[i],
      healthCheckProtocol: protocol,
      healthCheckPort: healthCheck.port ?? entry?.endpoint?.port ?? (protocol === "HTTPS" ? 443 : 80),
    };
  });
}

/**
 * Two regions naming the same endpoint (the same hostname, or the same AutoscaledEndpoint's Output/token) are
 * one region twice: both records answer with one load balancer, and its failure fails over to itself.
 * DNS names compare without case and trailing dot (RFC 4343).
 */
function checkEndpointListedOnce(check: Validator, regions: readonly FailoverRegionProps[], i: number): void {
  const key = (hostname: unknown) =>
    typeof hostname === "string" ? hostname.toLowerCase().replace(/\.$/, "") : hostname;
  const hostname = key(regions[i]?.endpoint?.hostname);
  if (hostname === undefined || hostname === "") return;
  const first = regions.findIndex((other) => key(other?.endpoint?.hostname) === hostname);
  if (first < i)
    check.add(
      `regions[${i}].endpoint.hostname`,
      `(${typeof hostname === "string" ? show(hostname) : "an unresolved value"}) is the endpoint of ` +
        `regions[${first}] too; each region must name its own endpoint (its own load balancer)`,
    );
}

/**
 * Explicit roles win; a region without a role is the primary when it is the first such region and no region
 * declares "primary", otherwise a secondary.
 */
function assignRoles(regions: readonly FailoverRegionProps[]): FailoverRole[] {
  const declaredPrimary = regions.some((entry) => entry?.role === "primary");
  const firstWithoutRole = regions.findIndex((entry) => entry?.role === undefined);
  return regions.map((entry, i) => {
    if (entry?.role !== undefined) return entry.role;
    return !declaredPrimary && i === firstWithoutRole ? "primary" : "secondary";
  });
}

function checkEndpoint(check: Validator, path: string, endpoint: FailoverEndpoint | undefined): void {
  if (endpoint === null || typeof endpoint !== "object") {
    check.add(
      path,
      `(${show(endpoint)}) must be an endpoint with a hostname, e.g. { hostname: "lb.example.com" }`,
    );
    return;
  }
  if (endpoint.hostname === undefined) {
    check.add(`${path}.hostname`, "is required: the DNS name the region serves at");
    return;
  }
  check.ifKnown(endpoint.hostname, (hostname) =>
    check.that(
      typeof hostname === "string" && DOMAIN_NAME.test(hostname),
      `${path}.hostname`,
      `(${show(hostname)}) must be a DNS name such as "lb-123.elb.us-east-1.amazonaws.com"`,
    ),
  );
  checkIntegerRange(check, `${path}.port`, endpoint.port, 1, 65_535);
  if (checkOneOf(check, `${path}.scheme`, endpoint.scheme, ENDPOINT_SCHEMES))
    check.that(
      endpoint.scheme !== "internal",
      `${path}.scheme`,
      '("internal") cannot be health-checked: Route53 health checkers probe from the internet; expose the ' +
        'endpoint as "internet-facing" (e.g. an AutoscaledEndpoint with exposure.scheme "internet-facing")',
    );
  checkOneOf(check, `${path}.protocol`, endpoint.protocol, HEALTH_CHECK_PROTOCOLS);
  const ranges = endpoint.sourceRanges;
  if (Array.isArray(ranges) && !ranges.some(isUnresolved)) {
    const missing = ipv4RangesNotCovered(ranges, route53HealthCheckerRanges());
    if (missing.length > 0)
      check.add(
        `${path}.sourceRanges`,
        `(${show(ranges)}) keep out the Route53 health checkers (${missing.join(", ")}; ` +
          `ip-ranges.json as of ${ROUTE53_HEALTH_CHECKER_RANGES_AS_OF}), so every check of this region fails ` +
          "and Route53 would keep answering with it: set exposure.admitRoute53HealthCheckers: true on its " +
          "AutoscaledEndpoint",
      );
  }
}
