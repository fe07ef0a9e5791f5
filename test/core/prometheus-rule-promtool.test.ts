/**
 * The planned PrometheusRule evaluated by Prometheus itself: `promtool check rules` parses every expression,
 * and `promtool test rules` replays synthetic series (as the ServiceMonitor and kube-state-metrics would
 * record them) to show that each alert fires when it should and stays quiet when it should not.
 * promtool comes from Debian's `prometheus` package (installed by .ci/run).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planModelService } from "../../src/plan/model-service";
import { gpuBinding, resnetProps } from "./support/fixtures";
import type { Json } from "./support/json";

const plan = planModelService(
  "resnet",
  { ...resnetProps, namespace: "ml", monitoring: { serviceMonitor: true } },
  gpuBinding,
);
const rule = plan.kubernetesObjects.find((o) => o.kind === "PrometheusRule") as Json;
const alerts: Json[] = rule.spec.groups.flatMap((g: Json) => g.rules);
const dir = mkdtempSync(join(tmpdir(), "onnxfleet-promtool-"));
writeFileSync(join(dir, "rules.yaml"), stringify(rule.spec));
// The rule an AutoscaledEndpoint plans with the scrape of a service that has none: bound to its numbers.
const endpointRule = planAutoscaledEndpoint(
  "resnet",
  {
    replicas: { min: 2, max: 20 },
    target: { inflightRequestsPerReplica: 8 },
    autoscaler: { type: "keda", prometheusServerAddress: "http://prometheus.monitoring:9090" },
  },
  planModelService("resnet", { ...resnetProps, namespace: "ml" }, gpuBinding),
).kubernetesObjects.find((o) => o.kind === "PrometheusRule") as Json;
const endpointAlerts: Json[] = endpointRule.spec.groups.flatMap((g: Json) => g.rules);
writeFileSync(join(dir, "endpoint-rules.yaml"), stringify(endpointRule.spec));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(...args: string[]): string {
  try {
    return execFileSync("promtool", args, { cwd: dir, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
}

/** The alert as promtool expects it to fire: the rule's labels and annotations, plus the series' labels. */
function expected(name: string, extraLabels: Record<string, string> = {}, from: Json[] = alerts) {
  const alert = from.find((a) => a.alert === name);
  if (!alert) throw new Error(`no alert ${name}`);
  return { exp_labels: { ...alert.labels, ...extraLabels }, exp_annotations: alert.annotations };
}

const server = 'namespace="ml",service="resnet"';
const pod = "resnet-v1-7d9f8c6b5-x2x4z";

/** Runs one promtool unit test: series over 2 h at 1 min, then the alerts expected at `evalTime`. */
function unitTest(
  series: Record<string, string>,
  checks: { eval_time: string; alertname: string; exp_alerts: unknown[] }[],
  rules = "rules.yaml",
) {
  const file = join(dir, `test-${rules}-${checks[0]!.alertname}-${checks.length}.yaml`);
  writeFileSync(
    file,
    stringify({
      rule_files: [rules],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
          alert_rule_test: checks,
        },
      ],
    }),
  );
  return promtool("test", "rules", file);
}

describe("the PrometheusRule under promtool", () => {
  it("promtool check rules accepts every expression", () => {
    expect(promtool("check", "rules", "rules.yaml")).toMatch(
      new RegExp(`SUCCESS: ${alerts.length} rules found`),
    );
  });

  it("availability fast burn fires at 2 % 5xx (> 14.4 x 0.1 %), not at 0.05 %", () => {
    const failing = {
      [`onnxfleet_requests_total{${server},outcome="success"}`]: "0+980x120",
      [`onnxfleet_requests_total{${server},outcome="server_error"}`]: "0+20x120",
    };
    unitTest(failing, [
      {
        eval_time: "70m",
        alertname: "OnnxfleetAvailabilityBudgetBurnFast",
        exp_alerts: [expected("OnnxfleetAvailabilityBudgetBurnFast")],
      },
    ]);
    const healthy = {
      [`onnxfleet_requests_total{${server},outcome="success"}`]: "0+9995x120",
      [`onnxfleet_requests_total{${server},outcome="server_error"}`]: "0+5x120",
    };
    unitTest(healthy, [
      { eval_time: "70m", alertname: "OnnxfleetAvailabilityBudgetBurnFast", exp_alerts: [] },
      { eval_time: "70m", alertname: "OnnxfleetAvailabilityBudgetBurnSlow", exp_alerts: [] },
    ]);
  });

  it("latency: 20 % of requests over 1 s burns fast; 10 % burns only slow (6 x 1 %)", () => {
    const latency = (within: number) => ({
      [`onnxfleet_request_duration_seconds_bucket{${server},outcome="success",le="1"}`]: `0+${within}x120`,
      [`onnxfleet_request_duration_seconds_count{${server},outcome="success"}`]: "0+1000x120",
    });
    unitTest(latency(800), [
      {
        eval_time: "70m",
        alertname: "OnnxfleetLatencyBudgetBurnFast",
        exp_alerts: [expected("OnnxfleetLatencyBudgetBurnFast")],
      },
    ]);
    unitTest(latency(900), [
      { eval_time: "70m", alertname: "OnnxfleetLatencyBudgetBurnFast", exp_alerts: [] },
      {
        eval_time: "70m",
        alertname: "OnnxfleetLatencyBudgetBurnSlow",
        exp_alerts: [expected("OnnxfleetLatencyBudgetBurnSlow")],
      },
    ]);
  });

  it("a GPU pod Pending for 15 min fires; a CPU-only Pending pod does not", () => {
    const gpuPod = `namespace="ml",pod="${pod}"`;
    unitTest(
      {
        [`kube_pod_status_phase{${gpuPod},phase="Pending"}`]: "1x40",
        [`kube_pod_container_resource_requests{${gpuPod},container="server",resource="nvidia_com_gpu"}`]:
          "1x40",
      },
      [
        { eval_time: "10m", alertname: "OnnxfleetGpuPodsPending", exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: "OnnxfleetGpuPodsPending",
          exp_alerts: [expected("OnnxfleetGpuPodsPending", { namespace: "ml", pod })],
        },
      ],
    );
    unitTest(
      {
        [`kube_pod_status_phase{${gpuPod},phase="Pending"}`]: "1x40",
        [`kube_pod_container_resource_requests{${gpuPod},container="server",resource="cpu"}`]: "1x40",
      },
      [{ eval_time: "20m", alertname: "OnnxfleetGpuPodsPending", exp_alerts: [] }],
    );
  });

  it("saturated at max: the HPA at maxReplicas and in-flight per pod above its target", () => {
    const hpa = 'namespace="ml",horizontalpodautoscaler="resnet-v1"';
    const series = (inflight: number) => ({
      [`kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`]: "5x40",
      [`kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`]: "5x40",
      [`kube_horizontalpodautoscaler_spec_target_metric{${hpa},metric_name="onnxfleet_inflight_requests",metric_target_type="average"}`]:
        "8x40",
      [`onnxfleet_inflight_requests{${server},pod="${pod}"}`]: `${inflight}x40`,
    });
    unitTest(series(12), [
      {
        eval_time: "20m",
        alertname: "OnnxfleetSaturatedAtMaxReplicas",
        exp_alerts: [expected("OnnxfleetSaturatedAtMaxReplicas")],
      },
      {
        eval_time: "20m",
        alertname: "OnnxfleetAutoscalerAtMax",
        exp_alerts: [
          expected("OnnxfleetAutoscalerAtMax", { namespace: "ml", horizontalpodautoscaler: "resnet-v1" }),
        ],
      },
    ]);
    unitTest(series(4), [{ eval_time: "20m", alertname: "OnnxfleetSaturatedAtMaxReplicas", exp_alerts: [] }]);
  });

  it("KEDA's HPA (keda-hpa-<name>) is matched too", () => {
    const hpa = 'namespace="ml",horizontalpodautoscaler="keda-hpa-resnet-v1"';
    unitTest(
      {
        [`kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`]: "3x40",
        [`kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`]: "3x40",
      },
      [
        {
          eval_time: "20m",
          alertname: "OnnxfleetAutoscalerAtMax",
          exp_alerts: [
            expected("OnnxfleetAutoscalerAtMax", {
              namespace: "ml",
              horizontalpodautoscaler: "keda-hpa-resnet-v1",
            }),
          ],
        },
      ],
    );
  });

  it("model down and crash looping fire from kube-state-metrics series", () => {
    const deployment = 'namespace="ml",deployment="resnet-v1"';
    unitTest(
      {
        [`kube_deployment_status_replicas_available{${deployment}}`]: "0x40",
        [`kube_deployment_spec_replicas{${deployment}}`]: "2x40",
        [`kube_pod_container_status_waiting_reason{namespace="ml",pod="${pod}",container="server",reason="CrashLoopBackOff"}`]:
          "1x40",
      },
      [
        {
          eval_time: "10m",
          alertname: "OnnxfleetModelDown",
          exp_alerts: [expected("OnnxfleetModelDown", { namespace: "ml", deployment: "resnet-v1" })],
        },
        {
          eval_time: "10m",
          alertname: "OnnxfleetPodCrashLooping",
          exp_alerts: [expected("OnnxfleetPodCrashLooping", { namespace: "ml", pod, container: "server" })],
        },
      ],
    );
  });

  it("GPU saturation from DCGM's utilisation of the service's pods, not of other pods", () => {
    unitTest(
      {
        [`DCGM_FI_DEV_GPU_UTIL{namespace="ml",pod="${pod}",gpu="0"}`]: "97x40",
        'DCGM_FI_DEV_GPU_UTIL{namespace="ml",pod="other-app-7d9f8c6b5-abcde",gpu="1"}': "5x40",
      },
      [
        {
          eval_time: "20m",
          alertname: "OnnxfleetGpuSaturated",
          exp_alerts: [expected("OnnxfleetGpuSaturated")],
        },
      ],
    );
  });
});

describe("the rule an AutoscaledEndpoint plans with its scrape, under promtool", () => {
  it("promtool check rules accepts every expression", () => {
    expect(promtool("check", "rules", "endpoint-rules.yaml")).toMatch(
      new RegExp(`SUCCESS: ${endpointAlerts.length} rules found`),
    );
  });

  it("KEDA's HPA at the endpoint's replicas.max (20) with more than 8 in flight per pod is saturated; 19 is not", () => {
    // KEDA's HPA names its metric after the trigger (s0-prometheus): no series with the in-flight metric's
    // name, so only the endpoint's own numbers can tell that the pods run above the target.
    const hpa = 'namespace="ml",horizontalpodautoscaler="keda-hpa-resnet-v1"';
    const series = (replicas: number, inflight: number) => ({
      [`kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`]: `${replicas}x40`,
      [`onnxfleet_inflight_requests{${server},pod="${pod}"}`]: `${inflight}x40`,
    });
    const fired = (name: string, extra: Record<string, string> = {}) => [
      expected(name, extra, endpointAlerts),
    ];
    unitTest(
      series(20, 12),
      [
        {
          eval_time: "20m",
          alertname: "OnnxfleetSaturatedAtMaxReplicas",
          exp_alerts: fired("OnnxfleetSaturatedAtMaxReplicas"),
        },
        {
          eval_time: "20m",
          alertname: "OnnxfleetAutoscalerAtMax",
          exp_alerts: fired("OnnxfleetAutoscalerAtMax", {
            namespace: "ml",
            horizontalpodautoscaler: "keda-hpa-resnet-v1",
          }),
        },
      ],
      "endpoint-rules.yaml",
    );
    unitTest(
      series(19, 12),
      [
        { eval_time: "20m", alertname: "OnnxfleetSaturatedAtMaxReplicas", exp_alerts: [] },
        { eval_time: "20m", alertname: "OnnxfleetAutoscalerAtMax", exp_alerts: [] },
      ],
      "endpoint-rules.yaml",
    );
    unitTest(
      series(20, 4),
      [{ eval_time: "20m", alertname: "OnnxfleetSaturatedAtMaxReplicas", exp_alerts: [] }],
      "endpoint-rules.yaml",
    );
  });
});
