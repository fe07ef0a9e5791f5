/**
 * Plans an AutoscaledEndpoint: autoscaling (HPA or KEDA) of each model version's Deployment and the exposure
 * of the ModelService (in-cluster only, or an AWS NLB).
 */
import type { Lazy } from "../lazy";
import type { AutoscaledEndpointProps } from "../specs/autoscaled-endpoint";
import type { ModelServicePlan } from "./model-service";
import type { CloudResourcePlan, KubernetesObject } from "./types";

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
  readonly scheme: "internal" | "internet-facing";
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
  /** Names of the Deployments whose `spec.replicas` the autoscaler now owns. */
  readonly scaledDeployments: readonly string[];
  /** The Prometheus Adapter rule the HPA needs (absent with KEDA). */
  readonly prometheusAdapterRule?: PrometheusAdapterRulePlan;
  /** Where the NLB hostname appears (absent for clusterIP exposure). */
  readonly loadBalancer?: LoadBalancerHostnameSource;
  /** The Service clients inside the cluster use. */
  readonly clusterServiceName: string;
}

/** Validates `props` against the service's plan (throwing one ValidationError) and plans the endpoint. */
export function planAutoscaledEndpoint(
  name: string,
  props: AutoscaledEndpointProps,
  service: ModelServicePlan,
): AutoscaledEndpointPlan {
  void name;
  void props;
  void service;
  throw new Error("planAutoscaledEndpoint: implementation in progress on branch core-ms");
}
