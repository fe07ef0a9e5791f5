/**
 * Exposure through an AWS Network Load Balancer, created by the AWS Load Balancer Controller from a Service
 * of type LoadBalancer: IP targets, HTTP health check on the ready route, deregistration delay covering the
 * pods' whole graceful shutdown.
 */
import { endpointLabels } from "../labels";
import { loadBalancerNetworkPolicyName, loadBalancerServiceName, namespaceLabelsName } from "../naming";
import type { AutoscaledEndpointSpec, NlbExposureSpec } from "../specs/resolve-autoscaled-endpoint";
import type { ModelServicePlan } from "./model-service";
import { HTTP_PORT, HTTP_PORT_NAME, READY_PATH } from "./server-contract";
import { deregistrationDelaySeconds } from "./shutdown-timeline";
import type { KubernetesObject, NamespaceLabelsPlan } from "./types";

/** The AWS Load Balancer Controller's load balancer class for NLBs. */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

const A = "service.beta.kubernetes.io/aws-load-balancer-";

/**
 * The namespace label that makes the AWS Load Balancer Controller inject its pod readiness gate into new pods
 * of IP targets: a pod turns ready only once its NLB target is healthy, so a rollout never leaves the target
 * group with only initial or draining targets
 * (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/).
 */
export const POD_READINESS_GATE_LABELS = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } as const;

/** Health check of the NLB target group. */
export const NLB_HEALTH_CHECK = {
  protocol: "HTTP",
  path: READY_PATH,
  intervalSeconds: 10,
  timeoutSeconds: 6,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
} as const;

type NlbExposure = NlbExposureSpec;

/** Seconds the NLB keeps a draining target's connections: see `src/plan/shutdown-timeline.ts`. */
export function nlbDeregistrationDelaySeconds(service: ModelServicePlan): number {
  return deregistrationDelaySeconds(service.shutdown);
}

/**
 * TLS termination on the NLB's listener with an ACM certificate (AWS Load Balancer Controller annotations
 * ssl-cert, ssl-ports, ssl-negotiation-policy:
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/v2.10/guide/service/annotations/). The
 * target group stays TCP: TLS ends at the load balancer, and the pods (and their health check) speak HTTP
 * inside the VPC.
 */
export function nlbTlsAnnotations(exposure: NlbExposure): Record<string, string> {
  if (!exposure.tls) return {};
  return {
    // An unresolved ARN (Pulumi Output, CDKTF token) is passed through for the front-end to resolve.
    [`${A}ssl-cert`]: exposure.tls.certificateArn as string,
    [`${A}ssl-ports`]: String(exposure.port),
    [`${A}ssl-negotiation-policy`]: exposure.tls.sslPolicy,
  };
}

/**
 * Annotation listing what an internet-facing endpoint explicitly opted out of (`sourceRanges`, `tls`,
 * `auth`), so a policy engine or a reviewer reading the cluster sees the choice on the object itself.
 */
export const OPT_OUTS_ANNOTATION = "onnxfleet.dev/opt-outs";

/** The explicit opt-outs of an internet-facing endpoint, in a fixed order; empty when there are none. */
export function optOuts(exposure: NlbExposure, service: ModelServicePlan): string[] {
  if (exposure.scheme !== "internet-facing") return [];
  return [
    ...(exposure.sourceRangesAnywhere ? ["sourceRanges"] : []),
    ...(exposure.tls ? [] : ["tls"]),
    ...(service.spec.auth.type === "none" ? ["auth"] : []),
  ];
}

export function nlbAnnotations(exposure: NlbExposure, service: ModelServicePlan): Record<string, string> {
  const opted = optOuts(exposure, service);
  return {
    ...(opted.length > 0 ? { [OPT_OUTS_ANNOTATION]: opted.join(",") } : {}),
    ...nlbTlsAnnotations(exposure),
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
      `deregistration_delay.timeout_seconds=${nlbDeregistrationDelaySeconds(service)},` +
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

/** The readiness-gate label on the service's namespace (the pods' namespace), see {@link POD_READINESS_GATE_LABELS}. */
export function planReadinessGateLabels(
  spec: AutoscaledEndpointSpec,
  service: ModelServicePlan,
): NamespaceLabelsPlan {
  return {
    logicalName: namespaceLabelsName(spec.name),
    namespace: service.namespace,
    labels: { ...POD_READINESS_GATE_LABELS },
    reason:
      "the AWS Load Balancer Controller injects its pod readiness gate only into pods of a namespace with this " +
      "label; without it a rollout can leave the NLB with only initial or draining targets",
  };
}
