/**
 * Alerts and dashboard of a ModelService (`monitoring.alerts`, `monitoring.dashboard`): their props, defaults
 * and validation. Both are on by default wherever a ServiceMonitor is planned (the service's own, or the one an
 * AutoscaledEndpoint plans for its autoscaler's metric), since without scraping they would have no data.
 */
import { LATENCY_BUCKETS_SECONDS } from "../plan/server-contract";
import { show, type Validator } from "../validate";
import { checkIntegerRange, checkKnownKeys, checkLabels, checkNumberRange, propNames } from "./common";

/** Thresholds of the PrometheusRule planned for a ModelService. */
export interface ModelServiceAlertsProps {
  /**
   * Plan the PrometheusRule (monitoring.coreos.com/v1).
   * @default - true wherever a ServiceMonitor is planned: `monitoring.serviceMonitor`, or an AutoscaledEndpoint
   * that scrapes the pods for its autoscaler
   */
  readonly enabled?: boolean;
  /**
   * Availability objective in percent: the share of inference requests that must not end in a 5xx. The
   * error budget is `100 - availabilityObjectivePercent`; the burn-rate alerts fire when it is spent 14.4x
   * (1 h and 5 min windows) or 6x (6 h and 30 min) too fast.
   * @default 99.9
   */
  readonly availabilityObjectivePercent?: number;
  /**
   * Latency target in seconds: `latencyObjectivePercent` of the requests must finish within it (the p99
   * with the default objective). One of the server's histogram bucket bounds (`LATENCY_BUCKETS_SECONDS`:
   * 0.001 ... 30), so the share of slower requests is exact.
   * @default 1
   */
  readonly latencyTargetSeconds?: number;
  /**
   * Share of requests in percent that must finish within `latencyTargetSeconds`.
   * @default 99
   */
  readonly latencyObjectivePercent?: number;
  /**
   * Requests waiting in one pod's batch queue that count as saturation when they stay that high for
   * `saturationForMinutes`.
   * @default - 4 x `batching.maxBatchSize`, or 16 without batching
   */
  readonly queueDepthRequests?: number;
  /**
   * Minutes a saturation condition (queue depth, HPA at its maximum, GPU utilisation) must last before its
   * alert fires.
   * @default 10
   */
  readonly saturationForMinutes?: number;
  /**
   * Average GPU utilisation (percent, DCGM's `DCGM_FI_DEV_GPU_UTIL`) of the model's pods that counts as GPU
   * saturation. Only planned for a service with GPUs; needs the DCGM exporter (GpuNodePool `dcgmExporter`).
   * @default 90
   */
  readonly gpuUtilizationPercent?: number;
  /**
   * Minutes a pod may stay Pending (waiting for a node) or not ready before its alert fires.
   * @default 15
   */
  readonly pendingForMinutes?: number;
  /**
   * Base URL of the runbook (`docs/operations.md`): every alert's `runbook_url` is this URL plus the
   * alert's own section anchor.
   * @default "https://github.com/onnxfleet/onnxfleet/blob/main/docs/operations.md"
   */
  readonly runbookBaseUrl?: string;
  /**
   * Labels of the PrometheusRule object, to match the Prometheus' `ruleSelector` (e.g. `{ release: "prometheus" }`).
   * @default - `monitoring.serviceMonitorLabels`
   */
  readonly ruleLabels?: Readonly<Record<string, string>>;
}

/** The Grafana dashboard shipped as a ConfigMap for the Grafana sidecar. */
export interface ModelServiceDashboardProps {
  /**
   * Plan the dashboard ConfigMap (label `grafana_dashboard: "1"`).
   * @default - true wherever a ServiceMonitor is planned: `monitoring.serviceMonitor`, or an AutoscaledEndpoint
   * that scrapes the pods for its autoscaler
   */
  readonly enabled?: boolean;
  /**
   * Grafana folder of the dashboard (the sidecar's `grafana_folder` annotation).
   * @default - the sidecar's default folder
   */
  readonly folder?: string;
}

/** The defaults of the observability props, in one place. */
export const OBSERVABILITY_DEFAULTS = {
  availabilityObjectivePercent: 99.9,
  latencyTargetSeconds: 1,
  latencyObjectivePercent: 99,
  /** Queue depth threshold per `batching.maxBatchSize`, and without batching. */
  queueDepthPerMaxBatch: 4,
  queueDepthWithoutBatching: 16,
  saturationForMinutes: 10,
  gpuUtilizationPercent: 90,
  pendingForMinutes: 15,
  runbookBaseUrl: "https://github.com/onnxfleet/onnxfleet/blob/main/docs/operations.md",
} as const;

/** Validated alert settings, defaults applied. */
export interface AlertsSpec {
  readonly enabled: boolean;
  /**
   * Whether the user wrote `enabled` (else it follows the service's ServiceMonitor, and an AutoscaledEndpoint
   * that plans the scrape for its autoscaler plans the rule too).
   */
  readonly enabledSetByUser: boolean;
  readonly availabilityObjectivePercent: number;
  readonly latencyTargetSeconds: number;
  readonly latencyObjectivePercent: number;
  readonly queueDepthRequests: number;
  readonly saturationForMinutes: number;
  readonly gpuUtilizationPercent: number;
  readonly pendingForMinutes: number;
  readonly runbookBaseUrl: string;
  readonly ruleLabels: Readonly<Record<string, string>>;
}

/** Validated dashboard settings. */
export interface DashboardSpec {
  readonly enabled: boolean;
  /** Whether the user wrote `enabled` (else it follows the ServiceMonitor, the service's or the endpoint's). */
  readonly enabledSetByUser: boolean;
  readonly folder?: string;
}

const ALERT_PROPS = propNames<ModelServiceAlertsProps>({
  enabled: true,
  availabilityObjectivePercent: true,
  latencyTargetSeconds: true,
  latencyObjectivePercent: true,
  queueDepthRequests: true,
  saturationForMinutes: true,
  gpuUtilizationPercent: true,
  pendingForMinutes: true,
  runbookBaseUrl: true,
  ruleLabels: true,
});
const DASHBOARD_PROPS = propNames<ModelServiceDashboardProps>({ enabled: true, folder: true });

/** What the resolvers need from the rest of the ModelService's props. */
export interface ObservabilityContext {
  readonly serviceMonitor: boolean;
  readonly serviceMonitorLabels: Readonly<Record<string, string>>;
  readonly maxBatchSize?: number;
}

const D = OBSERVABILITY_DEFAULTS;

/** Validates `monitoring.alerts` and applies the defaults. */
export function resolveAlerts(
  check: Validator,
  props: ModelServiceAlertsProps | undefined,
  context: ObservabilityContext,
): AlertsSpec {
  const a = props ?? {};
  const path = "monitoring.alerts";
  checkKnownKeys(check, path, props, ALERT_PROPS);
  const spec: AlertsSpec = {
    enabled: a.enabled ?? context.serviceMonitor,
    enabledSetByUser: a.enabled !== undefined,
    availabilityObjectivePercent: a.availabilityObjectivePercent ?? D.availabilityObjectivePercent,
    latencyTargetSeconds: a.latencyTargetSeconds ?? D.latencyTargetSeconds,
    latencyObjectivePercent: a.latencyObjectivePercent ?? D.latencyObjectivePercent,
    queueDepthRequests:
      a.queueDepthRequests ??
      (context.maxBatchSize !== undefined
        ? D.queueDepthPerMaxBatch * context.maxBatchSize
        : D.queueDepthWithoutBatching),
    saturationForMinutes: a.saturationForMinutes ?? D.saturationForMinutes,
    gpuUtilizationPercent: a.gpuUtilizationPercent ?? D.gpuUtilizationPercent,
    pendingForMinutes: a.pendingForMinutes ?? D.pendingForMinutes,
    runbookBaseUrl: a.runbookBaseUrl ?? D.runbookBaseUrl,
    ruleLabels: a.ruleLabels ?? context.serviceMonitorLabels,
  };
  check.that(
    typeof spec.enabled === "boolean",
    `${path}.enabled`,
    `(${show(spec.enabled)}) must be a boolean`,
  );
  // Objectives of 100 % leave no error budget: every burn-rate threshold would be 0.
  checkNumberRange(
    check,
    `${path}.availabilityObjectivePercent`,
    spec.availabilityObjectivePercent,
    50,
    99.999,
  );
  checkNumberRange(check, `${path}.latencyObjectivePercent`, spec.latencyObjectivePercent, 50, 99.999);
  const buckets: readonly number[] = LATENCY_BUCKETS_SECONDS;
  check.that(
    buckets.includes(spec.latencyTargetSeconds),
    `${path}.latencyTargetSeconds`,
    `(${show(spec.latencyTargetSeconds)}) must be one of the server's latency bucket bounds ` +
      `(${buckets.join(", ")}), so the share of slower requests is exact`,
  );
  checkIntegerRange(check, `${path}.queueDepthRequests`, spec.queueDepthRequests, 1, 1_000_000);
  checkIntegerRange(check, `${path}.saturationForMinutes`, spec.saturationForMinutes, 1, 1440);
  checkNumberRange(check, `${path}.gpuUtilizationPercent`, spec.gpuUtilizationPercent, 1, 100);
  checkIntegerRange(check, `${path}.pendingForMinutes`, spec.pendingForMinutes, 1, 1440);
  check.that(
    typeof spec.runbookBaseUrl === "string" && /^https?:\/\/[^\s#]+$/.test(spec.runbookBaseUrl),
    `${path}.runbookBaseUrl`,
    `(${show(spec.runbookBaseUrl)}) must be an http(s) URL without a fragment, e.g. "${D.runbookBaseUrl}"`,
  );
  checkLabels(check, `${path}.ruleLabels`, spec.ruleLabels);
  return spec;
}

/** Validates `monitoring.dashboard` and applies the defaults. */
export function resolveDashboard(
  check: Validator,
  props: ModelServiceDashboardProps | undefined,
  context: ObservabilityContext,
): DashboardSpec {
  const path = "monitoring.dashboard";
  checkKnownKeys(check, path, props, DASHBOARD_PROPS);
  const enabled = props?.enabled ?? context.serviceMonitor;
  check.that(typeof enabled === "boolean", `${path}.enabled`, `(${show(enabled)}) must be a boolean`);
  const folder = props?.folder;
  if (folder !== undefined)
    check.that(
      typeof folder === "string" && folder.length > 0 && folder.length <= 200,
      `${path}.folder`,
      `(${show(folder)}) must be a folder name of 1 to 200 characters`,
    );
  return {
    enabled,
    enabledSetByUser: props?.enabled !== undefined,
    ...(folder !== undefined ? { folder } : {}),
  };
}
