/**
 * Props of a MultiRegionFailover: one DNS name served by two or more regions through Route53 health checks,
 * with their value lists and defaults. Validation: `resolve-multi-region-failover.ts`.
 */
import type { AwsRegion } from "../catalog/aws-regions";
import type { Lazy } from "../lazy";
import type { EndpointScheme } from "./autoscaled-endpoint";
import type { FailoverAlarmsProps } from "./failover-alarms";
import type { FailoverEndpointCapacity } from "./failover-capacity";

export const FAILOVER_ROUTINGS = ["failover", "latency"] as const;
export const FAILOVER_ROLES = ["primary", "secondary"] as const;
export const HEALTH_CHECK_PROTOCOLS = ["HTTPS", "HTTP"] as const;
/** Route53 health-check request intervals, in seconds (10 is "fast", billed higher). */
export const HEALTH_CHECK_INTERVALS_SECONDS = [10, 30] as const;

/** How Route53 answers: one primary with a standby, or the lowest-latency healthy region. */
export type FailoverRouting = (typeof FAILOVER_ROUTINGS)[number];
/** Role of a region under `failover` routing. */
export type FailoverRole = (typeof FAILOVER_ROLES)[number];
/** Protocol of the Route53 health check. */
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];
/** Route53 health-check request intervals, in seconds (10 is "fast", billed higher). */
export type HealthCheckIntervalSeconds = (typeof HEALTH_CHECK_INTERVALS_SECONDS)[number];

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
