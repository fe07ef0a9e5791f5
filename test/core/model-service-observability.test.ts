/**
 * The PrometheusRule and the Grafana dashboard of a ModelService: when they are planned, schema validity,
 * the burn-rate windows of the SRE workbook, thresholds from props, runbook links into docs/operations.md,
 * and the rule that every expression names only the server's metrics or the documented cluster metrics.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLUSTER_METRIC_NAMES } from "../../src/plan/cluster-metrics";
import { genericModelServiceDashboard } from "../../src/plan/grafana-dashboard";
import { planModelService } from "../../src/plan/model-service";
import { MODEL_SERVICE_ALERTS } from "../../src/plan/prometheus-rule";
import { SERVER_METRICS } from "../../src/plan/server-contract";
import type { KubernetesObject } from "../../src/plan/types";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { cpuBinding, gpuBinding, pulumiOutput, resnetProps } from "./support/fixtures";
import type { Json } from "./support/json";
import { alertsOf, dashboardOf, planExpressions, ruleOf } from "./support/observability";
import { metricNamesIn } from "./support/promql";
import { validateAgainstUpstreamSchema } from "./support/schemas";

const ROOT = join(__dirname, "..", "..");
const monitored: ModelServiceProps = {
  ...resnetProps,
  namespace: "ml",
  monitoring: { serviceMonitor: true },
};

function kinds(objects: readonly KubernetesObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`);
}

/** The server's names as Prometheus stores them: histograms as their _bucket, _count and _sum series. */
const SERVER_SERIES = new Set(
  Object.values(SERVER_METRICS).flatMap((name) => [name, `${name}_bucket`, `${name}_count`, `${name}_sum`]),
);

describe("ModelService alerts and dashboard: when they are planned", () => {
  it("follow the ServiceMonitor: none without it, both with it", () => {
    const plain = planModelService("resnet", resnetProps, gpuBinding);
    expect(kinds(plain.kubernetesObjects).filter((k) => /PrometheusRule|dashboard/.test(k))).toEqual([]);
    const withMonitor = planModelService("resnet", monitored, gpuBinding);
    expect(kinds(withMonitor.kubernetesObjects)).toEqual(
      expect.arrayContaining([
        "ServiceMonitor/resnet",
        "PrometheusRule/resnet",
        "ConfigMap/resnet-dashboard",
      ]),
    );
  });

  it("each can be turned off or on by itself", () => {
    const plan = planModelService(
      "resnet",
      { ...resnetProps, monitoring: { serviceMonitor: true, alerts: { enabled: false } } },
      gpuBinding,
    );
    expect(plan.kubernetesObjects.some((o) => o.kind === "PrometheusRule")).toBe(false);
    const dashboardOnly = planModelService(
      "resnet",
      { ...resnetProps, monitoring: { dashboard: { enabled: true } } },
      gpuBinding,
    );
    expect(kinds(dashboardOnly.kubernetesObjects)).toContain("ConfigMap/resnet-dashboard");
    expect(dashboardOnly.kubernetesObjects.some((o) => o.kind === "PrometheusRule")).toBe(false);
  });

  it("validate against the prometheus-operator and Kubernetes schemas", () => {
    const plan = planModelService("resnet", monitored, gpuBinding);
    validateAgainstUpstreamSchema(ruleOf(plan.kubernetesObjects) as KubernetesObject);
    validateAgainstUpstreamSchema(dashboardOf(plan.kubernetesObjects) as KubernetesObject);
  });
});

describe("the PrometheusRule", () => {
  const alerts = alertsOf(planModelService("resnet", monitored, gpuBinding).kubernetesObjects);
  const byName = (name: string): Json => alerts.find((a: Json) => a.alert === name) ?? {};

  it("holds every alert on a GPU service, each with severity, summary and a runbook section", () => {
    expect(alerts.map((a: Json) => a.alert).sort()).toEqual([...MODEL_SERVICE_ALERTS].sort());
    const doc = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");
    const anchors = new Set([...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase()));
    for (const alert of alerts) {
      expect(["critical", "warning"]).toContain(alert.labels.severity);
      expect(alert.annotations.summary).toContain("resnet");
      const url = new URL(alert.annotations.runbook_url);
      expect(`${url.origin}${url.pathname}`).toBe(
        "https://github.com/onnxfleet/onnxfleet/blob/main/docs/operations.md",
      );
      expect(anchors, `docs/operations.md has no section for ${alert.alert}`).toContain(url.hash.slice(1));
    }
  });

  it("availability burn rates: 14.4x over 1h and 5m (critical), 6x over 6h and 30m (warning), of the 5xx share", () => {
    const fast = byName("OnnxfleetAvailabilityBudgetBurnFast");
    const slow = byName("OnnxfleetAvailabilityBudgetBurnSlow");
    expect(fast.labels.severity).toBe("critical");
    expect(slow.labels.severity).toBe("warning");
    for (const [alert, long, short, factor] of [
      [fast, "1h", "5m", "14.4"],
      [slow, "6h", "30m", "6"],
    ] as const) {
      expect(alert.expr).toContain(`[${long}]`);
      expect(alert.expr).toContain(`[${short}]`);
      expect(
        alert.expr.match(new RegExp(`\\(${factor.replace(".", "\\.")} \\* 0\\.001\\)`, "g")),
      ).toHaveLength(2);
      expect(alert.expr).toContain('outcome="server_error"');
      expect(alert.expr).toContain('namespace="ml",service="resnet"');
    }
  });

  it("takes the objectives and thresholds from props", () => {
    const custom = alertsOf(
      planModelService(
        "resnet",
        {
          ...monitored,
          monitoring: {
            serviceMonitor: true,
            alerts: {
              availabilityObjectivePercent: 99.5,
              latencyTargetSeconds: 0.25,
              latencyObjectivePercent: 95,
              queueDepthRequests: 7,
              gpuUtilizationPercent: 75,
              saturationForMinutes: 3,
            },
          },
        },
        gpuBinding,
      ).kubernetesObjects,
    );
    const find = (name: string): Json => custom.find((a: Json) => a.alert === name) ?? {};
    expect(find("OnnxfleetAvailabilityBudgetBurnFast").expr).toContain("(14.4 * 0.005)");
    expect(find("OnnxfleetLatencyBudgetBurnFast").expr).toContain('le="0.25"');
    expect(find("OnnxfleetLatencyBudgetBurnSlow").expr).toContain("(6 * 0.05)");
    expect(find("OnnxfleetQueueDepthHigh").expr).toMatch(/> 7$/);
    expect(find("OnnxfleetQueueDepthHigh").for).toBe("3m");
    expect(find("OnnxfleetGpuSaturated").expr).toMatch(/> 75$/);
  });

  it("the default latency target (1 s) matches the bucket in both Prometheus 2 and 3 spellings", () => {
    expect(byName("OnnxfleetLatencyBudgetBurnFast").expr).toContain('le=~"1|1[.]0"');
  });

  it("the queue threshold defaults to 4 x maxBatchSize", () => {
    expect(byName("OnnxfleetQueueDepthHigh").expr).toMatch(/> 128$/);
  });

  it("a service without GPUs has no GPU alerts", () => {
    const cpu = alertsOf(
      planModelService("resnet", { ...monitored, resources: { gpu: 0 } }, cpuBinding).kubernetesObjects,
    );
    const names = cpu.map((a: Json) => a.alert);
    expect(names).not.toContain("OnnxfleetGpuPodsPending");
    expect(names).not.toContain("OnnxfleetGpuSaturated");
  });

  it("selects canary versions' Deployments, pods and autoscalers (HPA or KEDA's keda-hpa-)", () => {
    const canary = alertsOf(
      planModelService(
        "resnet",
        {
          ...monitored,
          model: {
            name: "resnet50",
            versions: [
              { version: 3, uri: "s3://models/r/3.onnx", sha256: "a".repeat(64), weightPercent: 90 },
              { version: 4, uri: "s3://models/r/4.onnx", sha256: "b".repeat(64), weightPercent: 10 },
            ],
          },
          gateway: { name: "public", namespace: "gateways" },
        },
        gpuBinding,
      ).kubernetesObjects,
    );
    const find = (name: string) => canary.find((a: Json) => a.alert === name)?.expr as string;
    expect(find("OnnxfleetModelDown")).toContain('deployment=~"resnet-v3|resnet-v4"');
    expect(find("OnnxfleetPodCrashLooping")).toContain('pod=~"(resnet-v3|resnet-v4)-[a-z0-9]+-[a-z0-9]+"');
    expect(find("OnnxfleetAutoscalerAtMax")).toContain(
      'horizontalpodautoscaler=~"(keda-hpa-)?(resnet-v3|resnet-v4)"',
    );
  });

  it("an unresolved namespace drops the namespace matcher and keeps the service's own", () => {
    const lazy = alertsOf(
      planModelService("resnet", { ...monitored, namespace: pulumiOutput("ns") as never }, gpuBinding)
        .kubernetesObjects,
    );
    for (const alert of lazy) expect(alert.expr).not.toContain("namespace=");
    expect(lazy.find((a: Json) => a.alert === "OnnxfleetQueueDepthHigh")?.expr).toContain('service="resnet"');
  });

  it("refuses bad thresholds, each with its path, and unknown keys with a suggestion", () => {
    expect(() =>
      planModelService("resnet", {
        ...monitored,
        monitoring: {
          serviceMonitor: true,
          alerts: {
            availabilityObjectivePercent: 100,
            latencyTargetSeconds: 0.3,
            runbookBaseUrl: "docs/operations.md#x",
            ruleLabel: { release: "p" },
          } as never,
        },
      }),
    ).toThrowError(
      new RegExp(
        [
          'monitoring.alerts.ruleLabel is not a prop \\(did you mean "ruleLabels"\\?\\)',
          "monitoring.alerts.availabilityObjectivePercent \\(100\\) must be a number from 50 to 99.999",
          "monitoring.alerts.latencyTargetSeconds \\(0.3\\) must be one of the server's latency bucket bounds \\(0.001, ",
          "monitoring.alerts.runbookBaseUrl",
        ].join("[\\s\\S]*"),
      ),
    );
  });
});

describe("alert and dashboard expressions name only metrics that exist", () => {
  const expressions = planExpressions(planModelService("resnet", monitored, gpuBinding).kubernetesObjects);

  it.each(expressions)("%s", (expr) => {
    const names = metricNamesIn(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect([...SERVER_SERIES, ...CLUSTER_METRIC_NAMES]).toContain(name);
  });

  it("the extractor itself sees a misspelt name (the check can fail)", () => {
    const names = metricNamesIn('sum by (pod) (rate(onnxfleet_request_total{service="x"}[5m]))');
    expect(names).toEqual(["onnxfleet_request_total"]);
    expect(SERVER_SERIES.has(names[0]!)).toBe(false);
  });
});

describe("the Grafana dashboard", () => {
  const plan = planModelService(
    "resnet",
    { ...monitored, monitoring: { serviceMonitor: true, dashboard: { folder: "ML" } } },
    gpuBinding,
  );
  const configMap = dashboardOf(plan.kubernetesObjects);
  const dashboard = JSON.parse(configMap.data["resnet.json"]);

  it("is a ConfigMap the Grafana sidecar loads, in the folder asked for", () => {
    expect(configMap.metadata.labels.grafana_dashboard).toBe("1");
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: "ML" });
    expect(configMap.metadata.namespace).toBe("ml");
  });

  it("shows requests, errors, latency, queue and compute, batch sizes, replicas and GPU per pod", () => {
    const titles = dashboard.panels.map((p: Json) => p.title).join("\n");
    for (const words of [
      /Requests per second/,
      /Errors/,
      /latency/,
      /Queue time and compute time/,
      /Batch size distribution/,
      /Replicas and autoscaler bounds/,
      /GPU utilisation per pod/,
      /GPU memory used per pod/,
    ])
      expect(titles).toMatch(words);
    const exprs = dashboard.panels.flatMap((p: Json) => p.targets.map((t: Json) => t.expr)).join("\n");
    for (const q of ["0.5", "0.9", "0.99"]) expect(exprs).toContain(`histogram_quantile(${q},`);
    expect(exprs).toContain("kube_horizontalpodautoscaler_spec_max_replicas");
  });

  it("is fixed to its namespace and service, with a stable uid within Grafana's 40 characters", () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v: Json) => [v.name, v]));
    expect(vars.namespace).toMatchObject({ type: "constant", query: "ml" });
    expect(vars.service).toMatchObject({ type: "constant", query: "resnet" });
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    const other = planModelService("resnet", { ...monitored, namespace: "ml2" }, gpuBinding);
    expect(JSON.parse(dashboardOf(other.kubernetesObjects).data["resnet.json"]).uid).not.toBe(dashboard.uid);
  });

  it("the committed file for import by hand equals the generated one (npm run dashboards)", () => {
    const committed = JSON.parse(
      readFileSync(join(ROOT, "dashboards", "onnxfleet-model-service.json"), "utf8"),
    );
    expect(committed).toEqual(genericModelServiceDashboard());
    const vars = committed.templating.list.map((v: Json) => `${v.name}:${v.type}`);
    expect(vars).toEqual(["datasource:datasource", "namespace:query", "service:query"]);
  });
});
