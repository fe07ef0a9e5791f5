/**
 * MultiRegionFailover props, their defaults and their validation: props -> {@link MultiRegionFailoverSpec}.
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
import { ipv4RangesNotCovered } from "./cidr";
import { checkDns1123Label, checkIntegerRange, checkKnownKeys, checkOneOf, propNames } from "./common";
import { type FailoverAlarmsProps, type FailoverAlarmsSpec, resolveFailoverAlarms } from "./failover-alarms";
import { checkFailoverCapacity, type FailoverEndpointCapacity } from "./failover-capacity";

export const FAILOVER_ROUTINGS = ["failover", "latency"] as const;
export const FAILOVER_ROLES = ["primary", "secondary"] as const;
export const HEALTH_CHECK_PROTOCOLS = ["HTTPS", "HTTP"] as const;

/** How Route53 answers: one primary with a standby, or the lowest-latency healthy region. */
export type FailoverRouting = (typeof FAILOVER_ROUTINGS)[number];
/** Role of a region under `failover` routing. */
export type FailoverRole = (typeof FAILOVER_ROLES)[number];
/** Protocol of the Route53 health check. */
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];
/** Route53 health-check request intervals, in seconds (10 is "fast", billed higher). */
export type HealthCheckIntervalSeconds = 10 | 30;

/**
 * Anything that serves the model at a hostname: an AutoscaledEndpoint (whose `hostname` is the load
 * balancer's DNS name, with its listener's `port` and `protocol`), or a plain
 * `{ hostname: "lb.example.com", port: 443, protocol: "HTTPS" }`.
 */
export interface FailoverEndpoint {
  /** DNS name clients reach the region at, e.g. the NLB's DNS name. */
  readonly hostname: Lazy<string>;
  /**
   * Port the endpoint serves on; the health check probes it unless `healthCheck.port` is set.
   * @default - 443 for HTTPS, 80 for HTTP
   */
  readonly port?: Lazy<number>;
  /**
   * Protocol the endpoint serves; the health check uses it unless `healthCheck.protocol` is set.
   * @default "HTTP"
   */
  readonly protocol?: HealthCheckProtocol;
  /**
   * Whether the endpoint is reachable from the internet. Route53 health checkers probe from the internet,
   * so an `internal` endpoint is refused (it would look down in every region, and Route53 would then
   * answer with every region, failing over never).
   * @default "internet-facing"
   */
  readonly scheme?: EndpointScheme;
  /**
   * What the region carries at its ceiling; an AutoscaledEndpoint with `capacity` offers it. When any
   * region declares it, every region must, and the failover is refused unless the others carry the global
   * peak after losing the region that carries the most (N+1).
   * @default - none: N+1 is not checked
   */
  readonly capacity?: FailoverEndpointCapacity;
  /**
   * Client IP ranges the endpoint admits (an AutoscaledEndpoint's `sourceRanges`). When given, every range of
   * the Route53 health checkers must be inside them, or the failover is refused: checks from outside the
   * ranges fail in every region, and Route53 then answers with every region, failing over never.
   * @default - not checked (the endpoint is assumed to admit the health checkers)
   */
  readonly sourceRanges?: readonly string[];
}

/** Reachability of an endpoint (the AWS load balancer scheme). */
export type EndpointScheme = "internal" | "internet-facing";

/** One region of a MultiRegionFailover. */
export interface FailoverRegionProps {
  /** AWS region of the endpoint; under latency routing, Route53 measures latency to it. */
  readonly region: AwsRegion;
  /** The region's endpoint. */
  readonly endpoint: FailoverEndpoint;
  /**
   * Role under `failover` routing (exactly one primary). Not allowed under `latency` routing.
   * @default - "primary" for the first region without a role when no region declares "primary";
   * otherwise "secondary"
   */
  readonly role?: FailoverRole;
}

/** The Route53 health check of every region. */
export interface FailoverHealthCheckProps {
  /**
   * Path probed (the server's readiness route: unready while loading models or draining).
   * @default "/v2/health/ready"
   */
  readonly path?: string;
  /**
   * Protocol of the probe, for every region.
   * @default - each endpoint's `protocol`, else "HTTP"
   */
  readonly protocol?: HealthCheckProtocol;
  /**
   * Port probed, for every region.
   * @default - each endpoint's `port`, else 443 for HTTPS and 80 for HTTP
   */
  readonly port?: number;
  /**
   * Seconds between probes from each Route53 checker: 10 or 30.
   * @default 10
   */
  readonly intervalSeconds?: HealthCheckIntervalSeconds;
  /**
   * Consecutive failed probes before a region counts as unhealthy: 1 to 10.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** Props of a MultiRegionFailover: one DNS name served by two or more regions, with health checks. */
export interface MultiRegionFailoverProps {
  /** Route53 hosted zone holding `domainName`. */
  readonly hostedZoneId: Lazy<string>;
  /** DNS name clients use, e.g. `infer.example.com` (not the zone apex: the records are CNAMEs). */
  readonly domainName: Lazy<string>;
  /**
   * Routing policy. `failover` takes exactly two regions.
   * @default "failover"
   */
  readonly routing?: FailoverRouting;
  /** The regions, at least two, each once. */
  readonly regions: readonly FailoverRegionProps[];
  /**
   * Health check of every region's endpoint.
   * @default - GET /v2/health/ready on each endpoint's protocol and port every 10 s, unhealthy after 3
   * failures
   */
  readonly healthCheck?: FailoverHealthCheckProps;
  /**
   * TTL of the records, in seconds (clients may keep a dead region's address this long).
   * @default 30
   */
  readonly ttlSeconds?: number;
  /**
   * Longest acceptable worst-case failover, in seconds: the props are refused when
   * `intervalSeconds x failureThreshold + ttlSeconds` exceeds it.
   * @default - not checked
   */
  readonly maxFailoverSeconds?: number;
  /**
   * Global peak in requests per second that the regions left after losing one must carry (N+1; needs every
   * region's `endpoint.capacity`).
   * @default - from the regions' declared peaks: their sum under latency routing, the largest under failover
   * routing
   */
  readonly peakRequestsPerSecond?: number;
  /**
   * CloudWatch alarms on the health checks (one per region, in us-east-1), optionally notifying an SNS topic.
   * @default { enabled: true } - alarms without notification
   */
  readonly alarms?: FailoverAlarmsProps;
}

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
  const check = new Validator("MultiRegionFailover", name);
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
      interval === 10 || interval === 30,
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
  if (checkOneOf(check, `${path}.scheme`, endpoint.scheme, ["internal", "internet-facing"]))
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
