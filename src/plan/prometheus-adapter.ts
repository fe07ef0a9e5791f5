/**
 * The Prometheus Adapter rule that turns the server's in-flight gauge into the pods metric the
 * HorizontalPodAutoscaler reads (custom.metrics.k8s.io). Add it to the adapter's `rules:` (Helm chart
 * prometheus-community/prometheus-adapter: `rules.custom`).
 */
import { stringify } from "yaml";
import { INFLIGHT_REQUESTS_METRIC } from "./server-contract";

/** Seconds the adapter averages the gauge over, smoothing request bursts. */
export const ADAPTER_AVERAGE_WINDOW = "1m";

/** The rule object, one entry of the adapter's `rules:` list. */
export function prometheusAdapterRule(): Record<string, unknown> {
  return {
    seriesQuery: `${INFLIGHT_REQUESTS_METRIC}{namespace!="",pod!=""}`,
    resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
    name: { matches: `^${INFLIGHT_REQUESTS_METRIC}$`, as: INFLIGHT_REQUESTS_METRIC },
    metricsQuery: `sum(avg_over_time(<<.Series>>{<<.LabelMatchers>>}[${ADAPTER_AVERAGE_WINDOW}])) by (<<.GroupBy>>)`,
  };
}

/** The rule as YAML, a one-item list ready to paste under `rules:`. */
export function prometheusAdapterRuleYaml(): string {
  return stringify([prometheusAdapterRule()]);
}
