/**
 * The alerts and dashboard of a ModelService (its PrometheusRule and Grafana dashboard ConfigMap) follow the
 * scrape that feeds them: they are planned wherever a ServiceMonitor is, the service's own
 * (`monitoring.serviceMonitor`) or the one an AutoscaledEndpoint plans for its autoscaler's metric, unless the
 * user turned them off (`monitoring.alerts.enabled: false`, `monitoring.dashboard.enabled: false`).
 */
import { serviceName } from "../naming";
import type { ModelServiceSpec } from "../specs/resolve-model-service";
import { planDashboardConfigMap } from "./grafana-dashboard";
import { modelServiceSelectors } from "./model-service-selectors";
import { type AutoscalerBounds, planPrometheusRule } from "./prometheus-rule";
import type { KubernetesObject } from "./types";

/** Which of the two objects to plan. */
interface Wanted {
  readonly alerts: boolean;
  readonly dashboard: boolean;
}

function plan(
  spec: ModelServiceSpec,
  deployments: readonly string[],
  wanted: Wanted,
  autoscaler?: AutoscalerBounds,
): KubernetesObject[] {
  const selectors = modelServiceSelectors(spec.namespace, serviceName(spec.name), deployments);
  return [
    ...(wanted.alerts ? [planPrometheusRule(spec, selectors, autoscaler)] : []),
    ...(wanted.dashboard ? [planDashboardConfigMap(spec)] : []),
  ];
}

/** What the service plans itself: each object enabled (by the user, or by default with its ServiceMonitor). */
export function planServiceAlertsAndDashboard(
  spec: ModelServiceSpec,
  deployments: readonly string[],
): KubernetesObject[] {
  const m = spec.monitoring;
  return plan(spec, deployments, { alerts: m.alerts.enabled, dashboard: m.dashboard.enabled });
}

/**
 * What an AutoscaledEndpoint plans along with the ServiceMonitor it adds (call only when it adds one): each
 * object the service did not plan and the user did not turn off. Its saturation and autoscaler-at-maximum
 * alerts compare with the endpoint's own `replicas.max` and in-flight target.
 */
export function planEndpointAlertsAndDashboard(
  spec: ModelServiceSpec,
  deployments: readonly string[],
  autoscaler: AutoscalerBounds,
): KubernetesObject[] {
  const { alerts, dashboard } = spec.monitoring;
  const follows = (o: { enabled: boolean; enabledSetByUser: boolean }) => !o.enabled && !o.enabledSetByUser;
  return plan(spec, deployments, { alerts: follows(alerts), dashboard: follows(dashboard) }, autoscaler);
}
