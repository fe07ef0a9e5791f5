import type { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import type { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { multiRegionFailoverNames } from "../../src/naming-gpu-pool-failover";
import { type MultiRegionFailoverPlan, planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import { failoverEndpointOf } from "../../src/specs/failover-endpoint";
import type {
  MultiRegionFailoverProps as CoreMultiRegionFailoverProps,
  FailoverEndpoint,
  FailoverRegionProps,
} from "../../src/specs/multi-region-failover";
import type { AutoscaledEndpoint } from "./autoscaled-endpoint";
import { createCloudResources } from "./create-planned";
import type { CdktfConstructProps } from "./providers";
import { asToken, type CdktfTokens } from "./tokens";

/** One region of a {@link MultiRegionFailover}: the core's region props, taking an AutoscaledEndpoint. */
export interface MultiRegionFailoverRegionProps extends Omit<FailoverRegionProps, "endpoint"> {
  /** The region's endpoint: an {@link AutoscaledEndpoint} exposed by an NLB, or `{ hostname }`. */
  readonly endpoint: AutoscaledEndpoint | CdktfTokens<FailoverEndpoint>;
}

/**
 * Props of a {@link MultiRegionFailover}: the core's `MultiRegionFailoverProps` (`hostedZoneId` and
 * `domainName` take tokens), with AutoscaledEndpoints as the regions' endpoints, and the providers.
 */
export interface MultiRegionFailoverProps
  extends Omit<CdktfTokens<CoreMultiRegionFailoverProps>, "regions">,
    CdktfConstructProps {
  /** The regions serving the model, each with its endpoint; in failover routing the first is primary. */
  readonly regions: readonly MultiRegionFailoverRegionProps[];
}

/**
 * One DNS name served from several regions: per region a Route53 health check on the endpoint's readiness
 * path and a record (failover or latency routing) guarded by it. The worst-case failover time
 * (`intervalSeconds x failureThreshold + ttlSeconds`) is checked against `maxFailoverSeconds` before anything
 * is created. Health checks and records read the endpoints' NLB hostnames, so Terraform creates them once
 * those exist.
 *
 * Route53 is global: pass one `AwsProvider` (any region) in `providers`, or use the default provider.
 */
export class MultiRegionFailover extends Construct {
  /** What the core planned. */
  readonly plan: MultiRegionFailoverPlan;
  /** Route53 health check id of each region (a token), by region. */
  readonly healthCheckIds: Readonly<Record<string, string>>;
  /** Fully qualified name of each region's record (a token), by region. */
  readonly recordFqdns: Readonly<Record<string, string>>;
  /** The DNS name the records serve. */
  readonly domainName: string;
  /** Worst-case seconds from a region failing to clients resolving the next one, as planned. */
  readonly worstCaseFailoverSeconds: number;

  /** @throws ValidationError (code `ONNXFLEET_INVALID_PROPS`) listing every invalid prop, before any child exists. */
  constructor(scope: Construct, id: string, props: MultiRegionFailoverProps) {
    const { providers, ...coreProps } = props ?? ({} as MultiRegionFailoverProps);
    const regions = (coreProps.regions ?? []).map(
      (region): FailoverRegionProps => ({ ...region, endpoint: failoverEndpointOf(region.endpoint) }),
    );
    const plan = planMultiRegionFailover(id, { ...coreProps, regions });
    super(scope, id);
    this.plan = plan;
    this.worstCaseFailoverSeconds = plan.worstCaseFailoverSeconds;
    this.domainName = asToken(plan.spec.domainName);

    const cloud = createCloudResources(this, plan.cloudResources, providers);
    const byRegion = <T>(read: (names: ReturnType<typeof multiRegionFailoverNames>) => T) =>
      Object.fromEntries(
        plan.spec.regions.map(({ region }) => [
          region,
          read(multiRegionFailoverNames(plan.spec.name, region)),
        ]),
      );
    this.healthCheckIds = byRegion((names) => (cloud.get(names.healthCheck) as Route53HealthCheck).id);
    this.recordFqdns = byRegion((names) => (cloud.get(names.record) as Route53Record).fqdn);
  }
}
