/**
 * Where a Gateway's data plane (its proxies) sends requests from, so the ModelService's NetworkPolicy admits
 * the canary traffic of its HTTPRoute: `gateway.dataPlane`. Props, the known implementations, validation.
 */
import type { Lazy } from "../lazy";
import type { Validator } from "../validate";
import { checkDns1123Label, checkKnownKeys, checkOneOf, checkPodIngressCidr, propNames } from "./common";

/**
 * Gateway API implementations whose data plane onnxfleet knows how to admit:
 * - `envoy-gateway`: Envoy proxies run in the controller's namespace, `envoy-gateway-system` by default
 *   (https://gateway.envoyproxy.io/docs/tasks/operations/gateway-namespace-mode/).
 * - `istio`: the Gateway's deployment is provisioned in the Gateway's own namespace
 *   (https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/#automated-deployment).
 * - `nginx-gateway-fabric`: NGINX runs per Gateway in the Gateway's namespace.
 * - `aws-vpc-lattice`: the AWS Gateway API controller; VPC Lattice reaches the pods from the link-local range
 *   169.254.171.0/24 (https://github.com/aws/aws-application-networking-k8s/blob/main/docs/deploy.md).
 */
export const GATEWAY_IMPLEMENTATIONS = [
  "envoy-gateway",
  "istio",
  "nginx-gateway-fabric",
  "aws-vpc-lattice",
] as const;
export type GatewayImplementation = (typeof GATEWAY_IMPLEMENTATIONS)[number];

/** Namespaces and IP ranges each known implementation's data plane sends from (besides the Gateway's namespace). */
export const GATEWAY_DATA_PLANE_SOURCES: Readonly<
  Record<GatewayImplementation, { readonly namespaces: readonly string[]; readonly cidrs: readonly string[] }>
> = {
  "envoy-gateway": { namespaces: ["envoy-gateway-system"], cidrs: [] },
  istio: { namespaces: [], cidrs: [] },
  "nginx-gateway-fabric": { namespaces: [], cidrs: [] },
  "aws-vpc-lattice": { namespaces: [], cidrs: ["169.254.171.0/24"] },
};

/** The Gateway's data plane, admitted to the serving port of every version's pods. */
export interface GatewayDataPlaneProps {
  /**
   * A known implementation (`GATEWAY_IMPLEMENTATIONS`): its proxies' namespace or IP range is admitted.
   * @default - none: only the Gateway's own namespace (where Istio and NGINX Gateway Fabric run their proxies)
   */
  readonly implementation?: GatewayImplementation;
  /**
   * More namespaces whose pods may reach the serving port (e.g. a proxy namespace of your own).
   * @default []
   */
  readonly namespaces?: readonly string[];
  /**
   * More IP ranges (CIDR) that may reach the serving port.
   * @default []
   */
  readonly cidrs?: readonly string[];
}

/** The sources the data plane sends from, resolved. */
export interface GatewayDataPlaneSpec {
  readonly implementation?: GatewayImplementation;
  /** Namespaces to admit: the Gateway's (possibly unresolved), the implementation's, the user's. */
  readonly namespaces: readonly Lazy<string>[];
  readonly cidrs: readonly string[];
}

const DATA_PLANE_PROPS = propNames<GatewayDataPlaneProps>({
  implementation: true,
  namespaces: true,
  cidrs: true,
});

/** Validates `gateway.dataPlane`; `gatewayNamespace` is where the Gateway lives (its proxies, for most). */
export function resolveGatewayDataPlane(
  check: Validator,
  props: GatewayDataPlaneProps | undefined,
  gatewayNamespace: Lazy<string>,
): GatewayDataPlaneSpec {
  const p = props ?? {};
  checkKnownKeys(check, "gateway.dataPlane", props, DATA_PLANE_PROPS);
  checkOneOf(check, "gateway.dataPlane.implementation", p.implementation, GATEWAY_IMPLEMENTATIONS);
  const namespaces = p.namespaces ?? [];
  const cidrs = p.cidrs ?? [];
  namespaces.forEach((ns, i) => {
    checkDns1123Label(check, `gateway.dataPlane.namespaces[${i}]`, ns);
  });
  cidrs.forEach((cidr, i) => {
    checkPodIngressCidr(check, `gateway.dataPlane.cidrs[${i}]`, cidr);
  });
  const known =
    p.implementation !== undefined && GATEWAY_IMPLEMENTATIONS.includes(p.implementation)
      ? GATEWAY_DATA_PLANE_SOURCES[p.implementation]
      : { namespaces: [], cidrs: [] };
  const unique = <T>(items: readonly T[]) => [...new Set(items)];
  return {
    ...(p.implementation !== undefined ? { implementation: p.implementation } : {}),
    namespaces: unique<Lazy<string>>([gatewayNamespace, ...known.namespaces, ...namespaces]),
    cidrs: unique([...known.cidrs, ...cidrs]),
  };
}
