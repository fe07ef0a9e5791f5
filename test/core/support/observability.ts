/** Reads the PromQL expressions out of a ModelService plan: its alert rules and its dashboard's queries. */
import type { KubernetesObject } from "../../../src/plan/types";
import type { Json } from "./json";

function kinds(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ");
}

/** The plan's PrometheusRule. */
export function ruleOf(objects: readonly KubernetesObject[]): Json {
  const rule = objects.find((o) => o.kind === "PrometheusRule");
  if (!rule) throw new Error(`no PrometheusRule in ${kinds(objects)}`);
  return rule as Json;
}

/** Every alerting rule of the plan's PrometheusRule. */
export function alertsOf(objects: readonly KubernetesObject[]): Json[] {
  return ruleOf(objects).spec.groups.flatMap((g: Json) => g.rules);
}

/** The plan's dashboard ConfigMap. */
export function dashboardOf(objects: readonly KubernetesObject[]): Json {
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith("-dashboard"));
  if (!configMap) throw new Error(`no dashboard ConfigMap in ${kinds(objects)}`);
  return configMap as Json;
}

/** Every PromQL expression of a dashboard: panel targets and the series of its template variables. */
export function dashboardExpressions(dashboard: Json): string[] {
  const targets = dashboard.panels.flatMap((p: Json) => p.targets.map((t: Json) => t.expr));
  const variables = dashboard.templating.list
    .filter((v: Json) => v.type === "query")
    .map((v: Json) => (v.definition as string).replace(/^label_values\((.*),\s*\w+\)$/, "$1"));
  return [...targets, ...variables];
}

/** Every expression of a plan: alerts, then the dashboard's queries. */
export function planExpressions(objects: readonly KubernetesObject[]): string[] {
  const dashboard = JSON.parse(Object.values(dashboardOf(objects).data as Record<string, string>)[0]!);
  return [...alertsOf(objects).map((a) => a.expr as string), ...dashboardExpressions(dashboard)];
}

/**
 * What operates a ModelService "resnet" autoscaled by an endpoint on GPU pool "gpu" with the DCGM exporter:
 * the scrape, the alerts, the dashboard and the exporter (as `Kind/name`).
 */
export const OPERATED_RESNET_ON_GPU_POOL = [
  "ServiceMonitor/resnet",
  "PrometheusRule/resnet",
  "ConfigMap/resnet-dashboard",
  "DaemonSet/gpu-dcgm-exporter",
  "ServiceMonitor/gpu-dcgm-exporter",
] as const;
