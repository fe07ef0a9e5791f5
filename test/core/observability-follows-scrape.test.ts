/**
 * The alerts and dashboard follow the scrape: wherever a ServiceMonitor is planned for a ModelService (its own,
 * or the one an AutoscaledEndpoint plans for its autoscaler's metric), the PrometheusRule and the dashboard
 * ConfigMap are planned too, unless the user turned them off; the endpoint's rule compares with its own
 * `replicas.max` and in-flight target. Every example topology renders them (and the DCGM exporter where the
 * pool asks for it), all valid against the upstream schemas.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dashboardConfigMapName, prometheusRuleName } from "../../src/naming";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import { parseTopology, planTopology } from "../../src/render";
import type { AutoscaledEndpointProps } from "../../src/specs/autoscaled-endpoint";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { gpuBinding, resnetProps } from "./support/fixtures";
import type { Json } from "./support/json";
import { alertsOf, OPERATED_RESNET_ON_GPU_POOL } from "./support/observability";
import { validateAgainstUpstreamSchema } from "./support/schemas";

const hpa: AutoscaledEndpointProps = {
  replicas: { min: 2, max: 20 },
  target: { inflightRequestsPerReplica: 8 },
};

/** The service's and the endpoint's objects. */
function planned(
  service: ModelServiceProps,
  endpoint: AutoscaledEndpointProps = hpa,
): { service: KubernetesObject[]; endpoint: KubernetesObject[] } {
  const s = planModelService("resnet", { namespace: "ml", ...service }, gpuBinding);
  const e = planAutoscaledEndpoint("resnet", endpoint, s);
  return { service: [...s.kubernetesObjects], endpoint: [...e.kubernetesObjects] };
}

const kindsOf = (objects: readonly KubernetesObject[]) =>
  objects
    .filter((o) => ["ServiceMonitor", "PrometheusRule", "ConfigMap"].includes(o.kind))
    .map((o) => `${o.kind}/${o.metadata.name}`);

describe("alerts and dashboard follow the ServiceMonitor the endpoint plans", () => {
  it("an HPA endpoint over a service without a ServiceMonitor plans the scrape, the rule and the dashboard", () => {
    const { service, endpoint } = planned(resnetProps);
    expect(kindsOf(service)).toEqual(["ConfigMap/resnet-config"]);
    expect(kindsOf(endpoint)).toEqual([
      "ServiceMonitor/resnet",
      "PrometheusRule/resnet",
      "ConfigMap/resnet-dashboard",
    ]);
    for (const o of endpoint) validateAgainstUpstreamSchema(o);
  });

  it("the endpoint's rule compares with its replicas.max (20) and in-flight target (8)", () => {
    const alerts = alertsOf(planned(resnetProps).endpoint);
    const atMax = alerts.find((a) => a.alert === "OnnxfleetAutoscalerAtMax")!;
    expect(atMax.expr).toBe(
      'kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler=~"(keda-hpa-)?(resnet-v1)"} >= 20',
    );
    expect(atMax.annotations.description).toContain("beyond its 20");
    const saturated = alerts.find((a) => a.alert === "OnnxfleetSaturatedAtMaxReplicas")!;
    expect(saturated.expr).toBe(
      '(max(kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler=~"(keda-hpa-)?(resnet-v1)"}) >= 20) and ' +
        '(avg(onnxfleet_inflight_requests{namespace="ml",service="resnet"}) > 8)',
    );
    expect(saturated.annotations.description).toContain("maximum of 20 replicas");
  });

  it("a KEDA endpoint on the default in-flight query plans them too; a query of the user's own plans none", () => {
    const keda = (query?: string): AutoscaledEndpointProps => ({
      ...hpa,
      autoscaler: {
        type: "keda",
        prometheusServerAddress: "http://prometheus.monitoring:9090",
        ...(query ? { query } : {}),
      },
    });
    expect(kindsOf(planned(resnetProps, keda()).endpoint)).toEqual([
      "ServiceMonitor/resnet",
      "PrometheusRule/resnet",
      "ConfigMap/resnet-dashboard",
    ]);
    expect(kindsOf(planned(resnetProps, keda("sum(my_queue_length)")).endpoint)).toEqual([]);
  });

  it("each stays off where the user turned it off, and is planned once where the service already plans it", () => {
    const off = planned({
      ...resnetProps,
      monitoring: { alerts: { enabled: false }, dashboard: { enabled: false } },
    });
    expect(kindsOf(off.endpoint)).toEqual(["ServiceMonitor/resnet"]);
    const alertsByService = planned({ ...resnetProps, monitoring: { alerts: { enabled: true } } });
    expect(kindsOf(alertsByService.service)).toEqual(["ConfigMap/resnet-config", "PrometheusRule/resnet"]);
    expect(kindsOf(alertsByService.endpoint)).toEqual([
      "ServiceMonitor/resnet",
      "ConfigMap/resnet-dashboard",
    ]);
    const scrapedByService = planned({ ...resnetProps, monitoring: { serviceMonitor: true } });
    expect(kindsOf(scrapedByService.service)).toEqual([
      "ConfigMap/resnet-config",
      "ServiceMonitor/resnet",
      "PrometheusRule/resnet",
      "ConfigMap/resnet-dashboard",
    ]);
    expect(kindsOf(scrapedByService.endpoint)).toEqual([]);
  });
});

const examples = new URL("../../examples/topology/", import.meta.url);
const topologies = readdirSync(examples).filter((f) => f.endsWith(".yaml"));

describe.each(topologies)("examples/topology/%s", (file) => {
  const topology = parseTopology(readFileSync(new URL(file, examples), "utf8"), file);
  const plan = planTopology(topology);
  const objects = plan.kubernetesObjects;
  const named = (kind: string, name: string) =>
    objects.filter((o) => o.kind === kind && o.metadata.name === name);

  it("every service with a ServiceMonitor has exactly one rule and one dashboard", () => {
    for (const name of Object.keys(plan.modelServices)) {
      if (named("ServiceMonitor", name).length === 0) continue;
      expect(named("PrometheusRule", prometheusRuleName(name)), name).toHaveLength(1);
      expect(named("ConfigMap", dashboardConfigMapName(name)), name).toHaveLength(1);
    }
  });

  it("every pool asking for the DCGM exporter has its DaemonSet and ServiceMonitor", () => {
    for (const [name, pool] of Object.entries(topology.gpuNodePools ?? {})) {
      const wanted = pool.dcgmExporter?.enabled === true;
      const exporter = plan.gpuNodePools[name]!.kubernetesObjects.filter(
        (o) => o.kind === "DaemonSet" && o.metadata.name.endsWith("-dcgm-exporter"),
      );
      expect(exporter, name).toHaveLength(wanted ? 1 : 0);
    }
  });

  it("every object validates against its upstream schema", () => {
    for (const o of objects) validateAgainstUpstreamSchema(o);
  });
});

describe("examples/topology/resnet.yaml", () => {
  it("carries the ServiceMonitor, the rule, the dashboard and the DCGM exporter", () => {
    const plan = planTopology(parseTopology(readFileSync(new URL("resnet.yaml", examples), "utf8"), "r"));
    const kinds = plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining([...OPERATED_RESNET_ON_GPU_POOL]));
    const rule = plan.kubernetesObjects.find((o) => o.kind === "PrometheusRule") as Json;
    const atMax = rule.spec.groups
      .flatMap((g: Json) => g.rules)
      .find((a: Json) => a.alert === "OnnxfleetAutoscalerAtMax");
    const replicasMax = plan.autoscaledEndpoints.resnet?.spec.replicas.max;
    expect(replicasMax).toBe(8);
    expect(atMax.expr).toMatch(new RegExp(`>= ${replicasMax}$`));
  });
});
