/**
 * Names of the Kubernetes objects the core plans: a public contract. Renaming a child replaces the object
 * (and, for a Service of type LoadBalancer, the cloud load balancer), so these rules only ever grow.
 *
 * Rules, for a ModelService or AutoscaledEndpoint called `name` (a DNS-1035 label of at most
 * {@link NAME_MAX_LENGTH} characters) serving model versions `v`:
 *
 * | object                                   | name            |
 * |------------------------------------------|-----------------|
 * | ServiceAccount, Service (all versions), NetworkPolicy, ServiceMonitor, HTTPRoute | `name` |
 * | ConfigMap (model configs)                | `name-config`   |
 * | Deployment, PodDisruptionBudget of version v | `name-v<v>` |
 * | Service of version v (several versions)  | `name-v<v>`     |
 * | HPA or KEDA ScaledObject of version v    | `name-v<v>` (the Deployment's name) |
 * | NLB Service, its NetworkPolicy           | `<endpoint>-nlb` |
 * | PrometheusRule (alerts)                  | `name`          |
 * | ConfigMap of the Grafana dashboard       | `name-dashboard` |
 * | Secret of the bearer token (when created) | `name-auth`    |
 *
 * Deployments are always named after their model version, so adding a canary version (or removing the old
 * one after promotion) never replaces the Deployment that keeps serving.
 */

/** Longest ModelService or AutoscaledEndpoint name: room for the longest suffix (`-v999999`) within 63. */
export const NAME_MAX_LENGTH = 50;

/** Highest model version number (six digits keep `name-v<version>` a DNS label). */
export const MODEL_VERSION_MAX = 999_999;

/** The ServiceAccount the server pods run as. */
export function serviceAccountName(service: string): string {
  return service;
}

/** The ConfigMap holding each model version's `config.json`. */
export function configMapName(service: string): string {
  return `${service}-config`;
}

/** The key of a model version's `config.json` in the ConfigMap. */
export function modelConfigKey(version: number): string {
  return `v${version}.config.json`;
}

/** The ClusterIP Service selecting every version's pods; also the NetworkPolicy, ServiceMonitor, HTTPRoute. */
export function serviceName(service: string): string {
  return service;
}

/** The Deployment serving one model version (also its PodDisruptionBudget, HPA or ScaledObject). */
export function deploymentName(service: string, version: number): string {
  return `${service}-v${version}`;
}

/** The Service of one model version, the HTTPRoute's weighted backend (multi-version models only). */
export function versionServiceName(service: string, version: number): string {
  return `${service}-v${version}`;
}

/** The NetworkPolicy of a ModelService. */
export function networkPolicyName(service: string): string {
  return service;
}

/** The ServiceMonitor of a ModelService. */
export function serviceMonitorName(service: string): string {
  return service;
}

/** The HTTPRoute splitting a multi-version model's traffic. */
export function httpRouteName(service: string): string {
  return service;
}

/** The PrometheusRule holding a ModelService's alerts. */
export function prometheusRuleName(service: string): string {
  return service;
}

/** The ConfigMap carrying a ModelService's Grafana dashboard (picked up by the Grafana sidecar). */
export function dashboardConfigMapName(service: string): string {
  return `${service}-dashboard`;
}

/** The HorizontalPodAutoscaler or KEDA ScaledObject of one Deployment. */
export function autoscalerName(deployment: string): string {
  return deployment;
}

/** The `type: LoadBalancer` Service of an AutoscaledEndpoint exposed through an NLB. */
export function loadBalancerServiceName(endpoint: string): string {
  return `${endpoint}-nlb`;
}

/** The NetworkPolicy admitting load-balancer traffic to the serving port. */
export function loadBalancerNetworkPolicyName(endpoint: string): string {
  return `${endpoint}-nlb`;
}

/** Logical name of the IAM policy granting read access to the model objects in S3. */
export function modelReadPolicyName(service: string): string {
  return `${service}-model-read`;
}

/** Child name of the labels an endpoint adds to its namespace (pod readiness gate injection). */
export function namespaceLabelsName(endpoint: string): string {
  return `${endpoint}-namespace-labels`;
}

/** The Secret a ModelService creates for its bearer token (`auth: { tokenSecret: { value } }`). */
export function authTokenSecretName(service: string): string {
  return `${service}-auth`;
}
