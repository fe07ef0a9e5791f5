/**
 * The Grafana dashboard of a ModelService: requests, errors, latency percentiles, queue and compute time,
 * batch sizes, queue depth and in-flight requests, replicas against the autoscaler's bounds, GPU utilisation
 * and memory per pod. One builder serves two shapes: the generic dashboard committed for import by hand
 * (`dashboards/onnxfleet-model-service.json`, namespace and service picked in Grafana) and each service's own
 * copy, shipped as a ConfigMap that the Grafana sidecar loads (label `grafana_dashboard: "1"`).
 */
import { modelServiceLabels } from "../labels";
import { isUnresolved, type Lazy } from "../lazy";
import { dashboardConfigMapName } from "../naming";
import type { ModelServiceSpec } from "../specs/resolve-model-service";
import { DCGM_METRICS, KUBE_STATE_METRICS as KSM } from "./cluster-metrics";
import { modelServiceSelectors } from "./model-service-selectors";
import { SERVER_METRICS as M } from "./server-contract";
import type { KubernetesObject } from "./types";

/** Label the Grafana sidecar (Grafana Helm chart, kube-prometheus-stack) looks for on dashboard ConfigMaps. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** Annotation naming the folder the sidecar puts the dashboard in. */
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";

/** What the dashboard shows. */
export interface DashboardOptions {
  /** Grafana's unique id of the dashboard (at most 40 characters). */
  readonly uid: string;
  readonly title: string;
  /** Fix the namespace and service (a service's own copy); without it, both are picked in Grafana. */
  readonly fixed?: { readonly namespace: Lazy<string>; readonly service: string };
}

/** The panels' data source: the dashboard's `datasource` variable (Grafana's `${name}` syntax). */
const DATASOURCE = { type: "prometheus", uid: ["$", "{datasource}"].join("") } as const;

interface Target {
  readonly expr: string;
  readonly legendFormat: string;
}

/** A Grafana dashboard (JSON model, schemaVersion 39) for one ModelService or, unfixed, any of them. */
export function grafanaDashboard(options: DashboardOptions): Record<string, unknown> {
  // The panels select by the naming rules: a version's Deployment is `<service>-v<version>`.
  const s = modelServiceSelectors("$namespace", "$service", ["$service-v[0-9]+"]);
  const rate = (selector: string, extra = "") => `rate(${selector}{${s.server}${extra}}[$__rate_interval])`;
  const quantile = (q: number, histogram: string) =>
    `histogram_quantile(${q}, sum by (le) (${rate(`${histogram}_bucket`)}))`;
  const panels: [string, string, readonly Target[], string?][] = [
    [
      "Requests per second by outcome",
      "reqps",
      [{ expr: `sum by (outcome) (${rate(M.requestsTotal)})`, legendFormat: "{{outcome}}" }],
    ],
    [
      "Errors (5xx share)",
      "percentunit",
      [
        {
          expr: `sum(${rate(M.requestsTotal, ',outcome="server_error"')}) / sum(${rate(M.requestsTotal)})`,
          legendFormat: "5xx share",
        },
      ],
    ],
    [
      "Request latency",
      "s",
      [0.5, 0.9, 0.99].map((q) => ({
        expr: quantile(q, M.requestDuration),
        legendFormat: `p${Math.round(q * 100)}`,
      })),
    ],
    [
      "Queue time and compute time (p50, p99)",
      "s",
      [0.5, 0.99].flatMap((q) => [
        { expr: quantile(q, M.queueDuration), legendFormat: `queue p${Math.round(q * 100)}` },
        { expr: quantile(q, M.computeDuration), legendFormat: `compute p${Math.round(q * 100)}` },
      ]),
    ],
    [
      "Batch size distribution (rows per batch)",
      "short",
      [{ expr: `sum by (le) (${rate(`${M.batchSize}_bucket`)})`, legendFormat: "{{le}}" }],
      "heatmap",
    ],
    [
      "Batch queue depth per pod",
      "short",
      [{ expr: `sum by (pod) (${M.queueDepth}{${s.server}})`, legendFormat: "{{pod}}" }],
    ],
    [
      "In-flight requests per pod",
      "short",
      [{ expr: `sum by (pod) (${M.inflightRequests}{${s.server}})`, legendFormat: "{{pod}}" }],
    ],
    [
      "Replicas and autoscaler bounds",
      "short",
      [
        [KSM.hpaCurrentReplicas, "current"],
        [KSM.hpaMinReplicas, "min"],
        [KSM.hpaMaxReplicas, "max"],
      ].map(([metric, what]) => ({
        expr: `max by (horizontalpodautoscaler) (${metric}{${s.autoscalers}})`,
        legendFormat: `{{horizontalpodautoscaler}} ${what}`,
      })),
    ],
    [
      "GPU utilisation per pod (DCGM)",
      "percent",
      [{ expr: `avg by (pod) (${DCGM_METRICS.gpuUtilization}{${s.pods}})`, legendFormat: "{{pod}}" }],
    ],
    [
      "GPU memory used per pod (DCGM)",
      "decmbytes",
      [{ expr: `sum by (pod) (${DCGM_METRICS.memoryUsedMiB}{${s.pods}})`, legendFormat: "{{pod}}" }],
    ],
  ];
  return {
    uid: options.uid,
    title: options.title,
    tags: ["onnxfleet"],
    timezone: "browser",
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: "30s",
    time: { from: "now-3h", to: "now" },
    templating: { list: variables(options) },
    panels: panels.map(([title, unit, targets, type], i) => ({
      id: i + 1,
      type: type ?? "timeseries",
      title,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit }, overrides: [] },
      ...(type === "heatmap" ? { options: { calculate: false, yAxis: { unit } } } : {}),
      targets: targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: t.expr,
        legendFormat: t.legendFormat,
        ...(type === "heatmap" ? { format: "heatmap" } : {}),
      })),
    })),
  };
}

/** Template variables: the data source, then the namespace and service (fixed constants, or picked). */
function variables(options: DashboardOptions): Record<string, unknown>[] {
  const datasource = { name: "datasource", label: "Data source", type: "datasource", query: "prometheus" };
  const fixed = options.fixed;
  const pick = (name: string, query: string) => ({
    name,
    type: "query",
    datasource: DATASOURCE,
    query: { query, refId: `${name}-values` },
    definition: query,
    refresh: 2,
    sort: 1,
  });
  const constant = (name: string, value: string) => ({
    name,
    type: "constant",
    hide: 2,
    query: value,
    current: { text: value, value },
  });
  const namespace =
    fixed && typeof fixed.namespace === "string" && !isUnresolved(fixed.namespace)
      ? constant("namespace", fixed.namespace)
      : pick("namespace", `label_values(${M.requestsTotal}, namespace)`);
  const service = fixed
    ? constant("service", fixed.service)
    : pick("service", `label_values(${M.requestsTotal}{namespace="$namespace"}, service)`);
  return [datasource, namespace, service];
}

/** The dashboard committed for import by hand: any namespace and service, picked in Grafana. */
export function genericModelServiceDashboard(): Record<string, unknown> {
  return grafanaDashboard({ uid: "onnxfleet-model-service", title: "onnxfleet / ModelService" });
}

/** FNV-1a, 32 bits: a short stable id from a name. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** The service's dashboard as a ConfigMap for the Grafana sidecar (call only when the dashboard is enabled). */
export function planDashboardConfigMap(spec: ModelServiceSpec): KubernetesObject {
  const namespace = typeof spec.namespace === "string" ? spec.namespace : "";
  const dashboard = grafanaDashboard({
    // Unique per namespace and service, stable across deployments; within Grafana's 40 characters.
    uid: `onnxfleet-${fnv1a(`${namespace}/${spec.name}`)}`,
    title: `onnxfleet / ${spec.name}${namespace ? ` (${namespace})` : ""}`,
    fixed: { namespace: spec.namespace, service: spec.name },
  });
  const folder = spec.monitoring.dashboard.folder;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: dashboardConfigMapName(spec.name),
      namespace: spec.namespace,
      labels: { ...modelServiceLabels(spec.name, spec.modelName), ...GRAFANA_DASHBOARD_LABEL },
      ...(folder !== undefined ? { annotations: { [GRAFANA_FOLDER_ANNOTATION]: folder } } : {}),
    },
    data: { [`${spec.name}.json`]: JSON.stringify(dashboard) },
  };
}
