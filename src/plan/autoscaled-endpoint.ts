/**
 * Plans an AutoscaledEndpoint: autoscaling (HPA or KEDA) of each model version's Deployment and the exposure
 * of the ModelService (in-cluster only, or an AWS NLB).
 */
import type { EndpointCapacity } from "../capacity/endpoint-capacity";
import { endpointLabels, LABEL_VERSION } from "../labels";
import type { Lazy } from "../lazy";
import { autoscalerName, loadBalancerServiceName } from "../naming";
import { AUTOSCALED_ENDPOINT_DEFAULTS, type AutoscaledEndpointProps } from "../specs/autoscaled-endpoint";
import {
  type AutoscaledEndpointSpec,
  QUERY_PLACEHOLDERS,
  resolveAutoscaledEndpointSpec,
} from "../specs/resolve-autoscaled-endpoint";
import {
  NLB_HEALTH_CHECK,
  planNlbNetworkPolicy,
  planNlbService,
  planReadinessGateLabels,
} from "./load-balancer";
import type { ModelServicePlan, ModelVersionPlan } from "./model-service";
import { planEndpointAlertsAndDashboard } from "./model-service-monitoring";
import { planServiceMonitor } from "./model-service-network";
import { prometheusAdapterRule, prometheusAdapterRuleYaml } from "./prometheus-adapter";
import { INFLIGHT_REQUESTS_METRIC } from "./server-contract";
import type { CloudResourcePlan, KubernetesObject, NamespaceLabelsPlan } from "./types";

/**
 * Where the NLB's DNS name appears once the AWS Load Balancer Controller has created it: the front-end reads
 * `status.loadBalancer.ingress[0].hostname` of this Service (e.g. for MultiRegionFailover's records).
 */
export interface LoadBalancerHostnameSource {
  readonly serviceName: string;
  readonly namespace: Lazy<string>;
  /** Path of the hostname in the Service object. */
  readonly statusField: "status.loadBalancer.ingress[0].hostname";
  /** Port the load balancer listens on. */
  readonly port: number;
  /** What clients speak to the listener: HTTPS when the NLB terminates TLS, else plain HTTP. */
  readonly protocol: "HTTP" | "HTTPS";
  readonly scheme: "internal" | "internet-facing";
  /** Client ranges the load balancer admits; `0.0.0.0/0` only after the `sourceRanges: "anywhere"` opt-out. */
  readonly sourceRanges: readonly string[];
  /** The health check the load balancer runs against the pods. */
  readonly healthCheck: { readonly protocol: "HTTP"; readonly path: string };
}

/** The Prometheus Adapter rule that serves the in-flight pods metric to the HPA. */
export interface PrometheusAdapterRulePlan {
  /** The metric the HPA reads (pods metric). */
  readonly metricName: string;
  /** The rule as an object (an entry of the adapter's `rules:` list). */
  readonly rule: Readonly<Record<string, unknown>>;
  /** The same rule as YAML, ready to paste under `rules:` in the adapter's config. */
  readonly yaml: string;
}

export interface AutoscaledEndpointPlan {
  readonly name: string;
  readonly namespace: Lazy<string>;
  /** HorizontalPodAutoscalers or ScaledObjects (one per Deployment), and the NLB Service and its policy. */
  readonly kubernetesObjects: readonly KubernetesObject[];
  readonly cloudResources: readonly CloudResourcePlan[];
  /**
   * Labels the endpoint needs on the service's namespace: with an NLB, the AWS Load Balancer Controller's
   * pod readiness gate label. Empty for clusterIP exposure.
   */
  readonly namespaceLabels: readonly NamespaceLabelsPlan[];
  /** Names of the Deployments whose `spec.replicas` the autoscaler now owns. */
  readonly scaledDeployments: readonly string[];
  /** The Prometheus Adapter rule the HPA needs (absent with KEDA). */
  readonly prometheusAdapterRule?: PrometheusAdapterRulePlan;
  /** Where the NLB hostname appears (absent for clusterIP exposure). */
  readonly loadBalancer?: LoadBalancerHostnameSource;
  /** The Service clients inside the cluster use. */
  readonly clusterServiceName: string;
  /** The validated spec, every default applied. */
  readonly spec: AutoscaledEndpointSpec;
  /**
   * Figures derived from `capacity` (replicas, target, batching, GPUs, nodes, the ceiling a MultiRegionFailover
   * reads for N+1); absent without `capacity`.
   */
  readonly capacity?: EndpointCapacity;
}

/** Validates `props` against the service's plan (throwing one ValidationError) and plans the endpoint. */
export function planAutoscaledEndpoint(
  name: string,
  props: AutoscaledEndpointProps,
  service: ModelServicePlan,
): AutoscaledEndpointPlan {
  const spec = resolveAutoscaledEndpointSpec(name, props, service);
  const scalers = service.versions.map((v) =>
    spec.autoscaler.type === "hpa" ? planHpa(spec, service, v) : planScaledObject(spec, service, v),
  );
  const exposure = spec.exposure;
  const loadBalancerObjects =
    exposure.type === "nlb"
      ? [planNlbService(spec, exposure, service), planNlbNetworkPolicy(spec, exposure, service)]
      : [];
  return {
    name: spec.name,
    namespace: service.namespace,
    kubernetesObjects: [...scalers, ...loadBalancerObjects, ...metricsScrape(spec, service)],
    cloudResources: [],
    namespaceLabels: exposure.type === "nlb" ? [planReadinessGateLabels(spec, service)] : [],
    scaledDeployments: service.versions.map((v) => v.deploymentName),
    ...(spec.autoscaler.type === "hpa"
      ? {
          prometheusAdapterRule: {
            metricName: INFLIGHT_REQUESTS_METRIC,
            rule: prometheusAdapterRule(),
            yaml: prometheusAdapterRuleYaml(),
          },
        }
      : {}),
    ...(exposure.type === "nlb"
      ? {
          loadBalancer: {
            serviceName: loadBalancerServiceName(spec.name),
            namespace: service.namespace,
            statusField: "status.loadBalancer.ingress[0].hostname",
            port: exposure.port,
            protocol: exposure.tls ? "HTTPS" : "HTTP",
            scheme: exposure.scheme,
            sourceRanges: exposure.sourceRanges,
            healthCheck: { protocol: NLB_HEALTH_CHECK.protocol, path: NLB_HEALTH_CHECK.path },
          },
        }
      : {}),
    clusterServiceName: service.serviceName,
    spec,
    ...(spec.capacity ? { capacity: spec.capacity } : {}),
  };
}

/** Scaling behaviour tuned for inference: scale up at once, scale down slowly after 5 stable minutes. */
export function inferenceScalingBehavior(): Record<string, unknown> {
  return {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Percent", value: 100, periodSeconds: 15 },
        { type: "Pods", value: 4, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: AUTOSCALED_ENDPOINT_DEFAULTS.scaleDownStabilizationSeconds,
      selectPolicy: "Min",
      policies: [
        { type: "Percent", value: 10, periodSeconds: 60 },
        { type: "Pods", value: 1, periodSeconds: 60 },
      ],
    },
  };
}

/** A metric target as a Kubernetes quantity: integers as is, fractions in thousandths (`"1500m"`). */
export function targetQuantity(value: number): string {
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}

function scalerMetadata(spec: AutoscaledEndpointSpec, service: ModelServicePlan, v: ModelVersionPlan) {
  return {
    name: autoscalerName(v.deploymentName),
    namespace: service.namespace,
    labels: { ...endpointLabels(spec.name, service.modelName), [LABEL_VERSION]: String(v.version) },
  };
}

function scaleTargetRef(v: ModelVersionPlan) {
  return { apiVersion: "apps/v1", kind: "Deployment", name: v.deploymentName };
}

function planHpa(
  spec: AutoscaledEndpointSpec,
  service: ModelServicePlan,
  v: ModelVersionPlan,
): KubernetesObject {
  const cpu = spec.autoscaler.type === "hpa" ? spec.autoscaler.cpuUtilizationPercent : undefined;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: scalerMetadata(spec, service, v),
    spec: {
      scaleTargetRef: scaleTargetRef(v),
      minReplicas: spec.replicas.min,
      maxReplicas: spec.replicas.max,
      metrics: [
        {
          type: "Pods",
          pods: {
            metric: { name: INFLIGHT_REQUESTS_METRIC },
            target: { type: "AverageValue", averageValue: targetQuantity(spec.inflightRequestsPerReplica) },
          },
        },
        ...(cpu !== undefined
          ? [
              {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } },
              },
            ]
          : []),
      ],
      behavior: inferenceScalingBehavior(),
    },
  };
}

/** The default KEDA query: in-flight requests summed over one Deployment's pods. */
export function defaultInflightQuery(): string {
  return (
    `sum(${INFLIGHT_REQUESTS_METRIC}{namespace="${QUERY_PLACEHOLDERS.namespace}",` +
    `pod=~"${QUERY_PLACEHOLDERS.deployment}-[a-z0-9]+-[a-z0-9]+"})`
  );
}

function planScaledObject(
  spec: AutoscaledEndpointSpec,
  service: ModelServicePlan,
  v: ModelVersionPlan,
): KubernetesObject {
  const keda = spec.autoscaler;
  if (keda.type !== "keda") throw new Error("planScaledObject needs the keda autoscaler");
  const query = (keda.query ?? defaultInflightQuery())
    .replaceAll(QUERY_PLACEHOLDERS.deployment, v.deploymentName)
    .replaceAll(QUERY_PLACEHOLDERS.namespace, typeof service.namespace === "string" ? service.namespace : "");
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: scalerMetadata(spec, service, v),
    spec: {
      scaleTargetRef: scaleTargetRef(v),
      minReplicaCount: spec.replicas.min,
      maxReplicaCount: spec.replicas.max,
      pollingInterval: keda.pollingIntervalSeconds,
      cooldownPeriod: keda.cooldownSeconds,
      advanced: { horizontalPodAutoscalerConfig: { behavior: inferenceScalingBehavior() } },
      triggers: [
        {
          type: "prometheus",
          metadata: {
            serverAddress: keda.prometheusServerAddress,
            query,
            threshold: targetQuantityForKeda(spec.inflightRequestsPerReplica),
            activationThreshold: "0",
          },
        },
      ],
    },
  };
}

/** KEDA's Prometheus trigger takes its threshold as a decimal string. */
function targetQuantityForKeda(value: number): string {
  return String(value);
}

/**
 * The scrape the autoscaler's metric needs. The HPA reads the in-flight gauge through the Prometheus Adapter,
 * and KEDA's default query reads it from Prometheus: either way Prometheus must scrape the pods, or the HPA
 * reports FailedGetPodsMetric, never scales down and scales up on CPU alone. When the ModelService plans no
 * ServiceMonitor, the endpoint plans the same one (the service's NetworkPolicy already admits the monitoring
 * namespace to the metrics port). A KEDA query of the user's own reads what they chose: nothing is added.
 * With the scrape come the service's alerts and dashboard (unless the user turned them off), their
 * saturation alerts bound to this endpoint's `replicas.max` and in-flight target.
 */
function metricsScrape(spec: AutoscaledEndpointSpec, service: ModelServicePlan): KubernetesObject[] {
  const needsInflight = spec.autoscaler.type === "hpa" || spec.autoscaler.query === undefined;
  if (!needsInflight || service.spec.monitoring.serviceMonitor) return [];
  return [
    planServiceMonitor(service.spec),
    ...planEndpointAlertsAndDashboard(
      service.spec,
      service.versions.map((v) => v.deploymentName),
      { maxReplicas: spec.replicas.max, inflightRequestsPerReplica: spec.inflightRequestsPerReplica },
    ),
  ];
}
