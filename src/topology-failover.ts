/**
 * MultiRegionFailovers in a topology file: each region names an AutoscaledEndpoint of the file, whose
 * planned capacity feeds the N+1 check. Load balancer hostnames exist only after deployment, so a region
 * without `hostname` gets a placeholder (render and plan print no Route53 records).
 */
import type { AutoscaledEndpointPlan } from "./plan/autoscaled-endpoint";
import { type MultiRegionFailoverPlan, planMultiRegionFailover } from "./plan/multi-region-failover";
import type {
  FailoverEndpoint,
  FailoverRegionProps,
  MultiRegionFailoverProps,
} from "./specs/multi-region-failover";
import { standInFailoverEndpoint } from "./topology-stand-ins";

/** A region of a topology file's MultiRegionFailover: its endpoint by name. */
export interface TopologyFailoverRegionProps extends Omit<FailoverRegionProps, "endpoint"> {
  /** Name of the AutoscaledEndpoint (a key of `autoscaledEndpoints`) serving the region. */
  readonly endpoint: string;
  /**
   * DNS name of the endpoint's load balancer.
   * @default - a placeholder `<endpoint>.<region>.elb.invalid`: the real name exists after deployment
   */
  readonly hostname?: string;
}

/** A MultiRegionFailover in a topology file: its props, with the regions' endpoints by name. */
export interface TopologyMultiRegionFailoverProps extends Omit<MultiRegionFailoverProps, "regions"> {
  /** The regions, at least two, each once. */
  readonly regions: readonly TopologyFailoverRegionProps[];
}

/** The endpoint a failover region reads from a planned AutoscaledEndpoint. */
function failoverEndpoint(
  region: TopologyFailoverRegionProps,
  plan: AutoscaledEndpointPlan,
): FailoverEndpoint {
  const loadBalancer = plan.loadBalancer;
  const capacity = plan.capacity;
  return {
    hostname: region.hostname ?? `${region.endpoint}.${region.region}.elb.invalid`,
    ...(loadBalancer ? { port: loadBalancer.port, scheme: loadBalancer.scheme } : {}),
    ...(capacity
      ? {
          capacity: {
            requestsPerSecondAtMax: capacity.requestsPerSecondAtMax,
            peakRequestsPerSecond: capacity.peakRequestsPerSecond,
          },
        }
      : {}),
  };
}

/**
 * Plans a topology file's MultiRegionFailover. `endpoints` are the planned endpoints by name; a region
 * naming an endpoint that is missing or failed to plan gets a stand-in (a placeholder hostname, no capacity),
 * so the failover's own props are still checked (the endpoint's errors are reported by the caller).
 */
export function planTopologyFailover(
  name: string,
  props: TopologyMultiRegionFailoverProps,
  endpoints: Readonly<Record<string, AutoscaledEndpointPlan>>,
): MultiRegionFailoverPlan {
  const regions = (Array.isArray(props.regions) ? props.regions : []).map(
    ({ endpoint, hostname, ...region }): FailoverRegionProps => {
      const plan = endpoints[endpoint];
      return {
        ...region,
        endpoint: plan
          ? failoverEndpoint({ endpoint, region: region.region, ...(hostname ? { hostname } : {}) }, plan)
          : standInFailoverEndpoint(String(endpoint), String(region.region)),
      };
    },
  );
  return planMultiRegionFailover(name, { ...props, regions });
}
