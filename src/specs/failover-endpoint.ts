import type { Lazy } from "../lazy";
import type { EndpointScheme } from "./autoscaled-endpoint";
import type { FailoverEndpointCapacity } from "./failover-capacity";
import type { FailoverEndpoint, HealthCheckProtocol } from "./multi-region-failover";

/**
 * What a front-end's AutoscaledEndpoint offers a MultiRegionFailover: its load balancer's hostname (a Pulumi
 * Output or CDKTF token; undefined without a load balancer), port and scheme, and what it carries at its
 * ceiling when it declares `capacity` (for the N+1 check).
 */
export interface FailoverEndpointSource {
  readonly hostname?: Lazy<string> | undefined;
  readonly port?: Lazy<number> | undefined;
  readonly protocol?: HealthCheckProtocol | undefined;
  readonly scheme?: EndpointScheme | undefined;
  /** Client ranges its load balancer admits, for the Route53 health checker check. */
  readonly sourceRanges?: readonly string[] | undefined;
  readonly capacity?: FailoverEndpointCapacity | undefined;
}

/**
 * The endpoint as the core reads it: hostname, port, protocol and scheme, whichever the endpoint has. An
 * endpoint without a load balancer has no hostname; the core then says `hostname is required`.
 */
export function failoverEndpointOf(endpoint: FailoverEndpointSource | undefined): FailoverEndpoint {
  if (endpoint === undefined || endpoint === null) return endpoint as unknown as FailoverEndpoint;
  const { hostname, port, protocol, scheme, sourceRanges, capacity } = endpoint;
  return {
    hostname: hostname as FailoverEndpoint["hostname"],
    ...(port !== undefined ? { port } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(scheme !== undefined ? { scheme } : {}),
    ...(sourceRanges !== undefined ? { sourceRanges } : {}),
    // Only the two figures the N+1 check reads (docs/capacity.md), not the whole derivation.
    ...(capacity !== undefined
      ? {
          capacity: {
            requestsPerSecondAtMax: capacity.requestsPerSecondAtMax,
            peakRequestsPerSecond: capacity.peakRequestsPerSecond,
          },
        }
      : {}),
  };
}
