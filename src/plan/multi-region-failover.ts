/**
 * MultiRegionFailover planner: props -> per region a Route53 health check on the endpoint's readiness path
 * and a record (failover or latency routing) guarded by it, plus the worst-case failover time.
 */
import type { NPlusOneVerdict } from "../capacity/n-plus-one";
import { ROUTE53_HEALTH_CHECKER_REGIONS } from "../catalog/route53-health-checkers";
import { multiRegionFailoverNames } from "../naming-gpu-pool-failover";
import type { MultiRegionFailoverProps } from "../specs/multi-region-failover";
import {
  type MultiRegionFailoverSpec,
  resolveMultiRegionFailoverSpec,
} from "../specs/resolve-multi-region-failover";
import { plannedCloudResource } from "./cloud-resource-types";
import { planFailoverAlarms } from "./failover-alarms";
import { type CloudResourcePlan, cloudRef } from "./types";

/** Everything a MultiRegionFailover creates. */
export interface MultiRegionFailoverPlan {
  /** The validated props with defaults applied. */
  readonly spec: MultiRegionFailoverSpec;
  /**
   * Per region, in the order given: the health check, then the record; then each health check's CloudWatch
   * alarm (in us-east-1, its `region` input) unless `alarms.enabled` is false.
   */
  readonly cloudResources: readonly CloudResourcePlan[];
  /** `healthCheck.intervalSeconds x failureThreshold + ttlSeconds`, in seconds. */
  readonly worstCaseFailoverSeconds: number;
  /** N+1 verdict when the regions declare capacity: the others carry the global peak after losing the largest. */
  readonly nPlusOne?: NPlusOneVerdict;
}

/**
 * Plans the MultiRegionFailover `name`.
 * @throws ValidationError listing every invalid prop, including a `maxFailoverSeconds` the health check
 * and TTL cannot meet (the message shows the arithmetic).
 */
export function planMultiRegionFailover(
  name: string,
  props: MultiRegionFailoverProps,
): MultiRegionFailoverPlan {
  const spec = resolveMultiRegionFailoverSpec(name, props);
  const { healthCheck } = spec;
  const cloudResources = spec.regions.flatMap((region): CloudResourcePlan[] => {
    const names = multiRegionFailoverNames(spec.name, region.region);
    const routingPolicy =
      spec.routing === "failover"
        ? {
            failoverRoutingPolicy: {
              type: region.role === "primary" ? ("PRIMARY" as const) : ("SECONDARY" as const),
            },
          }
        : { latencyRoutingPolicy: { region: region.region } };
    return [
      plannedCloudResource({
        type: "aws:route53:HealthCheck",
        logicalName: names.healthCheck,
        properties: {
          type: region.healthCheckProtocol,
          fqdn: region.hostname,
          port: region.healthCheckPort,
          resourcePath: healthCheck.path,
          requestInterval: healthCheck.intervalSeconds,
          failureThreshold: healthCheck.failureThreshold,
          measureLatency: spec.routing === "latency",
          // Only checkers whose ranges the endpoints admit (src/catalog/route53-health-checkers.ts).
          regions: [...ROUTE53_HEALTH_CHECKER_REGIONS],
          ...(region.healthCheckProtocol === "HTTPS" ? { enableSni: true } : {}),
          tags: { Name: `${spec.name}-${region.region}` },
        },
      }),
      plannedCloudResource({
        type: "aws:route53:Record",
        logicalName: names.record,
        properties: {
          zoneId: spec.hostedZoneId,
          name: spec.domainName,
          type: "CNAME",
          ttl: spec.ttlSeconds,
          records: [region.hostname],
          setIdentifier: region.region,
          healthCheckId: cloudRef(names.healthCheck, "id"),
          ...routingPolicy,
        },
      }),
    ];
  });
  return {
    spec,
    cloudResources: [...cloudResources, ...planFailoverAlarms(spec)],
    worstCaseFailoverSeconds: spec.worstCaseFailoverSeconds,
    ...(spec.nPlusOne ? { nPlusOne: spec.nPlusOne } : {}),
  };
}
