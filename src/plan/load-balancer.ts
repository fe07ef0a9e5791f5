/**
 * Exposure through an AWS Network Load Balancer, created by the AWS Load Balancer Controller from a Service
 * of type LoadBalancer: IP targets, HTTP health check on the ready route, deregistration delay covering the
 * pods' whole graceful shutdown.
 */
import { endpointLabels } from "../labels";
import { loadBalancerNetworkPolicyName, loadBalancerServiceName } from "../naming";
import type { AutoscaledEndpointSpec } from "../specs/resolve-autoscaled-endpoint";
import type { ModelServicePlan } from "./model-service";
import { HTTP_PORT, HTTP_PORT_NAME, READY_PATH } from "./server-contract";
import type { KubernetesObject } from "./types";

/** The AWS Load Balancer Controller's load balancer class for NLBs. */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

const A = "service.beta.kubernetes.io/aws-load-balancer-";

/** Health check of the NLB target group. */
export const NLB_HEALTH_CHECK = {
  protocol: "HTTP",
  path: READY_PATH,
  intervalSeconds: 10,
  timeoutSeconds: 6,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
} as const;

type NlbExposure = Extract<AutoscaledEndpointSpec["exposure"], { type: "nlb" }>;

/** Seconds the NLB keeps deregistering targets' connections open: the pods' preStop sleep plus drain deadline. */
export function deregistrationDelaySeconds(service: ModelServicePlan): number {
  return service.shutdown.preStopSleepSeconds + service.shutdown.shutdownTimeoutSeconds;
}

export function nlbAnnotations(exposure: NlbExposure, service: ModelServicePlan): Record<string, string> {
  return {
    [`${A}type`]: "external",
    [`${A}nlb-target-type`]: "ip",
    [`${A}scheme`]: exposure.scheme,
    [`${A}healthcheck-protocol`]: NLB_HEALTH_CHECK.protocol,
    [`${A}healthcheck-port`]: "traffic-port",
    [`${A}healthcheck-path`]: NLB_HEALTH_CHECK.path,
    [`${A}healthcheck-interval`]: String(NLB_HEALTH_CHECK.intervalSeconds),
    [`${A}healthcheck-timeout`]: String(NLB_HEALTH_CHECK.timeoutSeconds),
    [`${A}healthcheck-healthy-threshold`]: String(NLB_HEALTH_CHECK.healthyThreshold),
    [`${A}healthcheck-unhealthy-threshold`]: String(NLB_HEALTH_CHECK.unhealthyThreshold),
    [`${A}target-group-attributes`]:
      `deregistration_delay.timeout_seconds=${deregistrationDelaySeconds(service)},` +
      "deregistration_delay.connection_termination.enabled=true",
    [`${A}attributes`]: "load_balancing.cross_zone.enabled=true",
  };
}

export function planNlbService(
  spec: AutoscaledEndpointSpec,
  exposure: NlbExposure,
  service: ModelServicePlan,
): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: loadBalancerServiceName(spec.name),
      namespace: service.namespace,
      labels: endpointLabels(spec.name, service.modelName),
      annotations: nlbAnnotations(exposure, service),
    },
    spec: {
      type: "LoadBalancer",
      loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
      selector: { ...service.selectorLabels },
      ports: [{ name: HTTP_PORT_NAME, port: exposure.port, targetPort: HTTP_PORT_NAME, protocol: "TCP" }],
      loadBalancerSourceRanges: [...exposure.sourceRanges],
    },
  };
}

/** Admits the load balancer's connections (and health checks) to the serving port. */
export function planNlbNetworkPolicy(
  spec: AutoscaledEndpointSpec,
  exposure: NlbExposure,
  service: ModelServicePlan,
): KubernetesObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: loadBalancerNetworkPolicyName(spec.name),
      namespace: service.namespace,
      labels: endpointLabels(spec.name, service.modelName),
    },
    spec: {
      podSelector: { matchLabels: { ...service.selectorLabels } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: exposure.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: "TCP", port: HTTP_PORT }],
        },
      ],
    },
  };
}
