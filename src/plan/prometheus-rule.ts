/**
 * The PrometheusRule (prometheus-operator, monitoring.coreos.com/v1) of a ModelService: SLO burn-rate alerts
 * on availability and latency, saturation, readiness, crash loops, the autoscaler at its maximum and GPU pods
 * that find no node. Every expression names only the server's metrics (`SERVER_METRICS`) and the cluster
 * metrics listed in `cluster-metrics.ts`; every alert links its section of `docs/operations.md`.
 *
 * Burn rates follow the Google SRE workbook, "Alerting on SLOs", multiwindow multi-burn-rate alerts: page when
 * 2 % of a 30-day error budget burns in 1 h (14.4x, confirmed over 5 min), ticket when 5 % burns in 6 h (6x,
 * confirmed over 30 min). https://sre.google/workbook/alerting-on-slos/
 */
import { modelServiceLabels } from "../labels";
import { prometheusRuleName } from "../naming";
import type { AlertsSpec } from "../specs/model-service-observability";
import type { ModelServiceSpec } from "../specs/resolve-model-service";
import { DCGM_METRICS, KUBE_STATE_METRICS as KSM, KSM_NVIDIA_GPU_RESOURCE } from "./cluster-metrics";
import { bucketBoundMatcher, type ModelServiceSelectors } from "./model-service-selectors";
import { SERVER_METRICS as M } from "./server-contract";
import type { KubernetesObject } from "./types";

/** Every alert a ModelService's rule may hold; each name is also its section heading in docs/operations.md. */
export const MODEL_SERVICE_ALERTS = [
  "OnnxfleetAvailabilityBudgetBurnFast",
  "OnnxfleetAvailabilityBudgetBurnSlow",
  "OnnxfleetLatencyBudgetBurnFast",
  "OnnxfleetLatencyBudgetBurnSlow",
  "OnnxfleetQueueDepthHigh",
  "OnnxfleetSaturatedAtMaxReplicas",
  "OnnxfleetAutoscalerAtMax",
  "OnnxfleetModelNotReady",
  "OnnxfleetModelDown",
  "OnnxfleetPodCrashLooping",
  "OnnxfleetGpuPodsPending",
  "OnnxfleetGpuSaturated",
] as const;
export type ModelServiceAlert = (typeof MODEL_SERVICE_ALERTS)[number];

/** The two burn-rate windows pairs of the SRE workbook: long window, short window, burn factor, severity. */
export const BURN_RATE_WINDOWS = [
  { speed: "Fast", long: "1h", short: "5m", factor: 14.4, severity: "critical" },
  { speed: "Slow", long: "6h", short: "30m", factor: 6, severity: "warning" },
] as const;

/** One alerting rule as prometheus-operator takes it. */
export interface AlertRule {
  readonly alert: ModelServiceAlert;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

/**
 * The autoscaler's bounds as an AutoscaledEndpoint planned them. With them, the saturation and
 * autoscaler-at-maximum alerts compare with these numbers; without them (a rule the service plans alone) they
 * read the HPA's own bounds and target from kube-state-metrics.
 */
export interface AutoscalerBounds {
  /** The endpoint's `replicas.max`. */
  readonly maxReplicas: number;
  /** The endpoint's in-flight requests per replica target. */
  readonly inflightRequestsPerReplica: number;
}

/** The runbook section of `alert`: GitHub's anchor of the heading `### <alert>` is its lowercase name. */
export function runbookUrl(base: string, alert: ModelServiceAlert): string {
  return `${base}#${alert.toLowerCase()}`;
}

/** The PrometheusRule of the service (call only when `spec.monitoring.alerts.enabled`). */
export function planPrometheusRule(
  spec: ModelServiceSpec,
  selectors: ModelServiceSelectors,
  autoscaler?: AutoscalerBounds,
): KubernetesObject {
  const alerts = spec.monitoring.alerts;
  const rule = (
    alert: ModelServiceAlert,
    expr: string,
    forDuration: string,
    severity: string,
    summary: string,
    description: string,
  ): AlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity, onnxfleet_service: spec.name },
    annotations: { summary, description, runbook_url: runbookUrl(alerts.runbookBaseUrl, alert) },
  });
  const who = `ModelService ${spec.name} (model ${spec.modelName})`;
  const slo = [
    ...availabilityAlerts(alerts, selectors).map((a) =>
      rule(
        a.alert,
        a.expr,
        a.for,
        a.severity,
        `${who} is burning its availability error budget`,
        a.description,
      ),
    ),
    ...latencyAlerts(alerts, selectors).map((a) =>
      rule(a.alert, a.expr, a.for, a.severity, `${who} is burning its latency error budget`, a.description),
    ),
  ];
  const minutes = (n: number) => `${n}m`;
  const gpu = spec.resources.gpu > 0;
  const health = [
    rule(
      "OnnxfleetQueueDepthHigh",
      `max(${M.queueDepth}{${selectors.server}}) > ${alerts.queueDepthRequests}`,
      minutes(alerts.saturationForMinutes),
      "warning",
      `${who}: requests pile up in a batch queue`,
      `A pod has held more than ${alerts.queueDepthRequests} requests in its batch queue for ` +
        `${alerts.saturationForMinutes} minutes.`,
    ),
    rule(
      "OnnxfleetSaturatedAtMaxReplicas",
      saturatedAtMax(selectors, autoscaler),
      minutes(alerts.saturationForMinutes),
      "critical",
      `${who} is saturated at its autoscaler's maximum`,
      autoscaler
        ? `The autoscaler runs its maximum of ${autoscaler.maxReplicas} replicas and the in-flight requests ` +
            `per pod still exceed its target of ${autoscaler.inflightRequestsPerReplica}.`
        : "The autoscaler runs its maximum replicas and the in-flight requests per pod still exceed its target.",
    ),
    rule(
      "OnnxfleetAutoscalerAtMax",
      `${KSM.hpaCurrentReplicas}{${selectors.autoscalers}} >= ${maxReplicas(selectors, autoscaler)}`,
      minutes(alerts.saturationForMinutes),
      "warning",
      `${who}: an autoscaler runs at its maximum replicas`,
      `The HorizontalPodAutoscaler cannot add pods${autoscaler ? ` beyond its ${autoscaler.maxReplicas}` : ""}: ` +
        "raise replicas.max or the per-pod target.",
    ),
    rule(
      "OnnxfleetModelNotReady",
      `${KSM.deploymentAvailableReplicas}{${selectors.deployments}} < ${KSM.deploymentSpecReplicas}{${selectors.deployments}}`,
      minutes(alerts.pendingForMinutes),
      "warning",
      `${who}: pods of a model version are not ready`,
      `A Deployment has had fewer ready pods than it wants for ${alerts.pendingForMinutes} minutes.`,
    ),
    rule(
      "OnnxfleetModelDown",
      `${KSM.deploymentAvailableReplicas}{${selectors.deployments}} == 0 and ${KSM.deploymentSpecReplicas}{${selectors.deployments}} > 0`,
      "5m",
      "critical",
      `${who}: a model version has no ready pod`,
      "A Deployment that wants pods has had none ready for 5 minutes: its share of the traffic fails.",
    ),
    rule(
      "OnnxfleetPodCrashLooping",
      `max by (namespace, pod, container) (${KSM.containerWaitingReason}{${selectors.pods},reason="CrashLoopBackOff"}) == 1`,
      "5m",
      "warning",
      `${who}: a pod is crash-looping`,
      "A container of the service has been in CrashLoopBackOff for 5 minutes.",
    ),
    ...(gpu
      ? [
          rule(
            "OnnxfleetGpuPodsPending",
            `(max by (namespace, pod) (${KSM.podPhase}{${selectors.pods},phase="Pending"}) == 1) and on (namespace, pod) ` +
              `(max by (namespace, pod) (${KSM.containerResourceRequests}{${selectors.pods},resource="${KSM_NVIDIA_GPU_RESOURCE}"}) > 0)`,
            minutes(alerts.pendingForMinutes),
            "warning",
            `${who}: GPU pods find no node`,
            `A pod requesting GPUs has been Pending for ${alerts.pendingForMinutes} minutes: the node pool is full, ` +
              "at its maximum, or out of capacity in its zones.",
          ),
          rule(
            "OnnxfleetGpuSaturated",
            `avg(${DCGM_METRICS.gpuUtilization}{${selectors.pods}}) > ${alerts.gpuUtilizationPercent}`,
            minutes(alerts.saturationForMinutes),
            "warning",
            `${who}: its GPUs are saturated`,
            `The average GPU utilisation of the service's pods has been above ${alerts.gpuUtilizationPercent} % ` +
              `for ${alerts.saturationForMinutes} minutes (DCGM exporter).`,
          ),
        ]
      : []),
  ];
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: prometheusRuleName(spec.name),
      namespace: spec.namespace,
      labels: { ...alerts.ruleLabels, ...modelServiceLabels(spec.name, spec.modelName) },
    },
    spec: {
      groups: [
        { name: `onnxfleet-${spec.name}-slo`, rules: slo },
        { name: `onnxfleet-${spec.name}-health`, rules: health },
      ],
    },
  };
}

/** A fraction as PromQL prints it, without binary noise (0.1 % of budget = 0.001). */
function fraction(percent: number): string {
  return String(Number(((100 - percent) / 100).toPrecision(6)));
}

interface BurnAlert {
  readonly alert: ModelServiceAlert;
  readonly expr: string;
  readonly for: string;
  readonly severity: string;
  readonly description: string;
}

/** `ratio(window) > factor x budget` over the long and the short window. */
function burnRate(ratio: (window: string) => string, budget: string): BurnAlert[] {
  return BURN_RATE_WINDOWS.map((w) => ({
    alert: "" as ModelServiceAlert,
    expr: `(${ratio(w.long)}) > (${w.factor} * ${budget}) and (${ratio(w.short)}) > (${w.factor} * ${budget})`,
    for: "2m",
    severity: w.severity,
    description: `${w.factor}x the error budget of ${budget} over ${w.long} (and ${w.short})`,
  }));
}

/** Share of inference requests answered with a 5xx. */
function availabilityAlerts(alerts: AlertsSpec, s: ModelServiceSelectors): BurnAlert[] {
  const errors = (w: string) =>
    `sum(rate(${M.requestsTotal}{${s.server},outcome="server_error"}[${w}])) / sum(rate(${M.requestsTotal}{${s.server}}[${w}]))`;
  const names = ["OnnxfleetAvailabilityBudgetBurnFast", "OnnxfleetAvailabilityBudgetBurnSlow"] as const;
  return burnRate(errors, fraction(alerts.availabilityObjectivePercent)).map((a, i) => ({
    ...a,
    alert: names[i]!,
    description: `5xx answers are spending ${a.description} (objective ${alerts.availabilityObjectivePercent} % non-5xx).`,
  }));
}

/** Share of successful requests slower than the latency target (the target is a bucket bound). */
function latencyAlerts(alerts: AlertsSpec, s: ModelServiceSelectors): BurnAlert[] {
  const bucket = `${M.requestDuration}_bucket`;
  const count = `${M.requestDuration}_count`;
  const le = bucketBoundMatcher(alerts.latencyTargetSeconds);
  const slow = (w: string) =>
    `1 - sum(rate(${bucket}{${s.server},outcome="success",${le}}[${w}])) / sum(rate(${count}{${s.server},outcome="success"}[${w}]))`;
  const names = ["OnnxfleetLatencyBudgetBurnFast", "OnnxfleetLatencyBudgetBurnSlow"] as const;
  return burnRate(slow, fraction(alerts.latencyObjectivePercent)).map((a, i) => ({
    ...a,
    alert: names[i]!,
    description:
      `Requests slower than ${alerts.latencyTargetSeconds} s are spending ${a.description} ` +
      `(objective: ${alerts.latencyObjectivePercent} % within ${alerts.latencyTargetSeconds} s).`,
  }));
}

/** The autoscaler's maximum: the endpoint's `replicas.max`, or the HPA's own bound. */
function maxReplicas(s: ModelServiceSelectors, autoscaler: AutoscalerBounds | undefined): string {
  return autoscaler ? String(autoscaler.maxReplicas) : `${KSM.hpaMaxReplicas}{${s.autoscalers}}`;
}

/**
 * An autoscaler at its maximum while the in-flight requests per pod exceed the in-flight target: the
 * endpoint's numbers when known (they hold for KEDA too, whose HPA names its metric after the trigger), else
 * the HPA's own bounds and target.
 */
function saturatedAtMax(s: ModelServiceSelectors, autoscaler: AutoscalerBounds | undefined): string {
  const inflight = `(avg(${M.inflightRequests}{${s.server}}) > `;
  if (autoscaler)
    return (
      `(max(${KSM.hpaCurrentReplicas}{${s.autoscalers}}) >= ${autoscaler.maxReplicas}) and ` +
      `${inflight}${autoscaler.inflightRequestsPerReplica})`
    );
  const atMax = `(max(${KSM.hpaCurrentReplicas}{${s.autoscalers}} - ${KSM.hpaMaxReplicas}{${s.autoscalers}}) >= 0)`;
  const target = `max(${KSM.hpaTargetMetric}{${s.autoscalers},metric_name="${M.inflightRequests}"})`;
  return `${atMax} and ${inflight}${target})`;
}
