import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ValidationError } from "../../src/errors";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import type { AutoscaledEndpointProps } from "../../src/specs/autoscaled-endpoint";
import type { ModelServiceProps } from "../../src/specs/model-service";
import {
  CERTIFICATE_ARN,
  canaryProps,
  gpuBinding,
  pulumiOutput,
  resnetProps,
  SHA_A,
} from "./support/fixtures";
import type { Json } from "./support/json";
import { validateAgainstUpstreamSchema } from "./support/schemas";

const service = planModelService(
  "resnet-us-east-1",
  { ...resnetProps, auth: { tokenSecret: { name: "resnet-token" } } },
  gpuBinding,
);

const designProps: AutoscaledEndpointProps = {
  replicas: { min: 2, max: 20 },
  target: { inflightRequestsPerReplica: 8 },
  exposure: {
    type: "nlb",
    scheme: "internet-facing",
    sourceRanges: ["203.0.113.0/24"],
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: { certificateArn: CERTIFICATE_ARN },
  },
};

function problems(props: AutoscaledEndpointProps, servicePlan = service): string[] {
  try {
    planAutoscaledEndpoint("resnet-us-east-1", props, servicePlan);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path} ${p.reason}`);
  }
  return [];
}

describe("planAutoscaledEndpoint, the README endpoint", () => {
  const plan = planAutoscaledEndpoint("resnet-us-east-1", designProps, service);
  const hpa = plan.kubernetesObjects[0] as Json;

  it("plans an HPA per Deployment, the NLB Service and its NetworkPolicy, the scrape the HPA needs, and the alerts and dashboard that come with it", () => {
    expect(plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "HorizontalPodAutoscaler/resnet-us-east-1-v1",
      "Service/resnet-us-east-1-nlb",
      "NetworkPolicy/resnet-us-east-1-nlb",
      "ServiceMonitor/resnet-us-east-1",
      "PrometheusRule/resnet-us-east-1",
      "ConfigMap/resnet-us-east-1-dashboard",
    ]);
    expect(plan.scaledDeployments).toEqual(["resnet-us-east-1-v1"]);
  });

  it("scales on in-flight requests per pod, with CPU as a fallback", () => {
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "resnet-us-east-1-v1",
    });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 20]);
    expect(hpa.spec.metrics).toEqual([
      {
        type: "Pods",
        pods: {
          metric: { name: "onnxfleet_inflight_requests" },
          target: { type: "AverageValue", averageValue: "8" },
        },
      },
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ]);
  });

  it("scales up at once and down slowly after a stable window", () => {
    expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(hpa.spec.behavior.scaleUp.selectPolicy).toBe("Max");
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(hpa.spec.behavior.scaleDown.selectPolicy).toBe("Min");
    expect(hpa.spec.behavior.scaleDown.policies).toContainEqual({
      type: "Pods",
      value: 1,
      periodSeconds: 60,
    });
  });

  it("plans the Prometheus Adapter rule serving the metric, as an object and as YAML", () => {
    const rule = plan.prometheusAdapterRule;
    expect(rule?.metricName).toBe("onnxfleet_inflight_requests");
    expect(rule?.rule).toEqual({
      seriesQuery: 'onnxfleet_inflight_requests{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
      name: { matches: "^onnxfleet_inflight_requests$", as: "onnxfleet_inflight_requests" },
      metricsQuery: "sum(avg_over_time(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)",
    });
    expect(parse(rule?.yaml ?? "")).toEqual([rule?.rule]);
  });

  it("documents the same adapter rule in docs/constructs.md", () => {
    const readme = readFileSync(new URL("../../docs/constructs.md", import.meta.url), "utf8");
    expect(readme).toContain(plan.prometheusAdapterRule?.yaml);
  });

  it("exposes the pods through an internet-facing NLB with IP targets and the ready health check", () => {
    const nlb = plan.kubernetesObjects[1] as Json;
    const a = "service.beta.kubernetes.io/aws-load-balancer-";
    expect(nlb.spec).toEqual({
      type: "LoadBalancer",
      loadBalancerClass: "service.k8s.aws/nlb",
      selector: service.selectorLabels,
      ports: [{ name: "http", port: 443, targetPort: "http", protocol: "TCP" }],
      loadBalancerSourceRanges: ["203.0.113.0/24"],
    });
    expect(nlb.metadata.annotations).toMatchObject({
      [`${a}type`]: "external",
      [`${a}nlb-target-type`]: "ip",
      [`${a}scheme`]: "internet-facing",
      [`${a}healthcheck-protocol`]: "HTTP",
      [`${a}healthcheck-path`]: "/v2/health/ready",
      [`${a}healthcheck-port`]: "traffic-port",
    });
  });

  it("keeps deregistering targets open for the pods' whole graceful shutdown", () => {
    const nlb = plan.kubernetesObjects[1] as Json;
    expect(
      nlb.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"],
    ).toBe(
      "deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true",
    );
  });

  // #15 item 6: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/
  it("asks for the pod readiness gate label on the service's namespace (none for clusterIP)", () => {
    expect(plan.namespaceLabels).toEqual([
      {
        logicalName: "resnet-us-east-1-namespace-labels",
        namespace: "default",
        labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
        reason: expect.stringMatching(/readiness gate/),
      },
    ]);
    const inCluster = planAutoscaledEndpoint(
      "resnet-us-east-1",
      { ...designProps, exposure: { type: "clusterIP" } },
      service,
    );
    expect(inCluster.namespaceLabels).toEqual([]);
  });

  // #15 item 6: the deregistration delay is the pods' preStop sleep + the server's deadline (the arithmetic in
  // src/plan/shutdown-timeline.ts), within the target group's 0-3600 s:
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
  it("derives the deregistration delay from the service's own shutdown timings, and refuses one above 3600 s", () => {
    const custom = planModelService(
      "resnet",
      {
        ...resnetProps,
        shutdown: { preStopSleepSeconds: 12, drainDelaySeconds: 8, shutdownTimeoutSeconds: 40 },
        auth: "none",
      },
      gpuBinding,
    );
    const nlb = planAutoscaledEndpoint("resnet", designProps, custom).kubernetesObjects.find(
      (o) => o.kind === "Service",
    ) as Json;
    expect(
      nlb.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"],
    ).toBe(
      "deregistration_delay.timeout_seconds=52,deregistration_delay.connection_termination.enabled=true",
    );
    const deployment = custom.kubernetesObjects.find((o) => o.kind === "Deployment") as Json;
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(57);
    const slow = planModelService(
      "resnet",
      {
        ...resnetProps,
        shutdown: { preStopSleepSeconds: 600, drainDelaySeconds: 5, shutdownTimeoutSeconds: 3500 },
        auth: "none",
      },
      gpuBinding,
    );
    expect(problems(designProps, slow)).toEqual([
      'exposure ("nlb") needs a deregistration delay of the ModelService\'s shutdown.preStopSleepSeconds + ' +
        "shutdown.shutdownTimeoutSeconds (600 + 3500 = 4100 s), above the 3600 s a target group allows; " +
        "shorten the service's shutdown timings",
    ]);
  });

  it("admits only the load balancer's own addresses (the VPC) to the serving port", () => {
    expect((plan.kubernetesObjects[2] as Json).spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 8000 }] },
    ]);
  });

  it("says where the NLB hostname will appear", () => {
    expect(plan.loadBalancer).toEqual({
      serviceName: "resnet-us-east-1-nlb",
      namespace: "default",
      statusField: "status.loadBalancer.ingress[0].hostname",
      port: 443,
      protocol: "HTTPS",
      scheme: "internet-facing",
      sourceRanges: ["203.0.113.0/24"],
      healthCheck: { protocol: "HTTP", path: "/v2/health/ready" },
    });
  });
});

describe("planAutoscaledEndpoint options", () => {
  it("stays inside the cluster by default", () => {
    const plan = planAutoscaledEndpoint(
      "resnet-us-east-1",
      { replicas: { min: 1, max: 3 }, target: { inflightRequestsPerReplica: 1.5 } },
      service,
    );
    expect(plan.kubernetesObjects.map((o) => o.kind)).toEqual([
      "HorizontalPodAutoscaler",
      "ServiceMonitor",
      "PrometheusRule",
      "ConfigMap",
    ]);
    expect(plan.loadBalancer).toBeUndefined();
    expect(plan.clusterServiceName).toBe("resnet-us-east-1");
    expect((plan.kubernetesObjects[0] as Json).spec.metrics[0].pods.target.averageValue).toBe("1500m");
  });

  it("plans a KEDA ScaledObject with a Prometheus trigger on the Deployment's pods", () => {
    const plan = planAutoscaledEndpoint(
      "resnet-us-east-1",
      {
        replicas: { min: 1, max: 10 },
        target: { inflightRequestsPerReplica: 4 },
        autoscaler: { type: "keda", prometheusServerAddress: "http://prometheus.monitoring.svc:9090" },
      },
      service,
    );
    const scaled = plan.kubernetesObjects[0] as Json;
    expect(scaled.kind).toBe("ScaledObject");
    expect(scaled.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "resnet-us-east-1-v1" },
      minReplicaCount: 1,
      maxReplicaCount: 10,
      pollingInterval: 15,
      cooldownPeriod: 300,
    });
    expect(scaled.spec.triggers).toEqual([
      {
        type: "prometheus",
        metadata: {
          serverAddress: "http://prometheus.monitoring.svc:9090",
          query:
            'sum(onnxfleet_inflight_requests{namespace="default",pod=~"resnet-us-east-1-v1-[a-z0-9]+-[a-z0-9]+"})',
          threshold: "4",
          activationThreshold: "0",
        },
      },
    ]);
    expect(plan.prometheusAdapterRule).toBeUndefined();
  });

  it("scales to zero with KEDA on an upstream demand query", () => {
    const plan = planAutoscaledEndpoint(
      "resnet-us-east-1",
      {
        replicas: { min: 0, max: 4 },
        target: { inflightRequestsPerReplica: 4 },
        autoscaler: {
          type: "keda",
          prometheusServerAddress: "http://prometheus:9090",
          query: 'sum(rate(envoy_requests_total{service="{{deployment}}"}[1m]))',
        },
      },
      service,
    );
    const scaled = plan.kubernetesObjects[0] as Json;
    expect(scaled.spec.minReplicaCount).toBe(0);
    expect(scaled.spec.triggers[0].metadata.query).toBe(
      'sum(rate(envoy_requests_total{service="resnet-us-east-1-v1"}[1m]))',
    );
  });

  it("scales every version of a canary", () => {
    const canary = planModelService("resnet", canaryProps, gpuBinding);
    const plan = planAutoscaledEndpoint(
      "resnet",
      { replicas: { min: 1, max: 5 }, target: { inflightRequestsPerReplica: 8 } },
      canary,
    );
    expect(plan.kubernetesObjects.map((o) => o.metadata.name)).toEqual([
      "resnet-v3",
      "resnet-v4",
      "resnet",
      "resnet",
      "resnet-dashboard",
    ]);
    expect(plan.scaledDeployments).toEqual(["resnet-v3", "resnet-v4"]);
  });

  it("passes an unresolved namespace through", () => {
    const namespace = pulumiOutput("ns");
    const servicePlan = planModelService("r", { ...resnetProps, namespace, auth: "none" }, gpuBinding);
    const plan = planAutoscaledEndpoint("r", designProps, servicePlan);
    for (const o of plan.kubernetesObjects) expect(o.metadata.namespace).toBe(namespace);
    expect(plan.loadBalancer?.namespace).toBe(namespace);
  });
});

describe("AutoscaledEndpoint validation", () => {
  it("reports every problem at once with construct, prop, value and what is allowed", () => {
    let message = "";
    try {
      planAutoscaledEndpoint(
        "resnet",
        {
          replicas: { min: 5, max: 3 },
          target: { inflightRequestsPerReplica: 0 },
          exposure: {
            type: "nlb",
            scheme: "public" as "internal",
            sourceRanges: ["everyone"],
            loadBalancerCidrs: ["10.0.0.0/16"],
          },
        },
        service,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n").map((l) => l.trim())).toEqual([
      "4 problems:",
      'AutoscaledEndpoint "resnet": replicas.min (5) must not exceed replicas.max (3)',
      'AutoscaledEndpoint "resnet": target.inflightRequestsPerReplica (0) must be a number from 0.001 to 100000',
      'AutoscaledEndpoint "resnet": exposure.scheme ("public") must be one of "internal", "internet-facing"',
      'AutoscaledEndpoint "resnet": exposure.sourceRanges[0] ("everyone") must be an IP range in CIDR notation, e.g. "10.0.0.0/16" or "0.0.0.0/0"',
    ]);
  });

  it("allows zero replicas only with KEDA and an upstream query", () => {
    expect(problems({ replicas: { min: 0, max: 3 }, target: { inflightRequestsPerReplica: 4 } })).toEqual([
      'replicas.min (0) needs autoscaler { type: "keda" } (scale to zero); a HorizontalPodAutoscaler keeps at least 1 pod',
    ]);
    expect(
      problems({
        replicas: { min: 0, max: 3 },
        target: { inflightRequestsPerReplica: 4 },
        autoscaler: { type: "keda", prometheusServerAddress: "http://prometheus:9090" },
      }),
    ).toEqual([
      "autoscaler.query is required with replicas.min 0: at zero pods the server's in-flight gauge does not exist, so give a query measuring demand upstream (a gateway or load balancer metric)",
    ]);
  });

  // #20 traffic path 2: at zero pods an NLB has no targets; only KEDA's HTTP add-on interceptor holds requests
  // through a cold start (https://keda.sh/http-add-on/0.14/concepts/architecture/).
  it("refuses scale to zero behind an NLB, naming the interceptor as the way to expose it", () => {
    const zeroWithKeda = {
      replicas: { min: 0, max: 3 },
      target: { inflightRequestsPerReplica: 4 },
      autoscaler: {
        type: "keda" as const,
        prometheusServerAddress: "http://prometheus:9090",
        query: "sum(rate(gateway_requests_total[1m]))",
      },
    };
    expect(problems(zeroWithKeda)).toEqual([]);
    expect(
      problems({
        ...zeroWithKeda,
        exposure: { type: "nlb", scheme: "internal", loadBalancerCidrs: ["10.0.0.0/16"] },
      }),
    ).toEqual([
      'replicas.min (0) behind an NLB leaves the load balancer with no targets while scaled to zero, so the first requests fail until a pod is ready; use replicas.min 1 or more, or expose the service with exposure { type: "clusterIP" } behind KEDA\'s HTTP add-on interceptor, which holds requests during the scale-up',
    ]);
  });

  it("keeps the disruption budget from blocking every eviction at min replicas", () => {
    const strict = planModelService(
      "resnet",
      {
        ...resnetProps,
        disruptionBudget: { minAvailable: 3 },
      } as ModelServiceProps,
      gpuBinding,
    );
    expect(
      problems({ replicas: { min: 2, max: 6 }, target: { inflightRequestsPerReplica: 8 } }, strict),
    ).toEqual([
      "replicas.min (2) leaves the ModelService's disruptionBudget.minAvailable (3) blocking every eviction at 2 pod(s); raise replicas.min above 3 or use disruptionBudget { maxUnavailable: 1 }",
    ]);
    expect(
      problems({ replicas: { min: 4, max: 6 }, target: { inflightRequestsPerReplica: 8 } }, strict),
    ).toEqual([]);
  });

  // #15 item 10: the HPA owns the count; a planned spec.replicas resets it on every apply:
  // https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling
  it("refuses a service that fixes replicas, and plans no spec.replicas beside its autoscaler", () => {
    const fixed = planModelService("resnet", { ...resnetProps, replicas: 3, auth: "none" }, gpuBinding);
    expect(problems(designProps, fixed)).toEqual([
      'service (ModelService "resnet") sets replicas (3), which this endpoint\'s autoscaler owns: every apply ' +
        "of its Deployments would reset the autoscaler's count; remove replicas from the ModelService (this " +
        "endpoint's replicas.min is the floor)",
    ]);
    const plan = planAutoscaledEndpoint("resnet-us-east-1", designProps, service);
    const scaled = new Set(plan.scaledDeployments);
    const deployments = service.kubernetesObjects.filter(
      (o) => o.kind === "Deployment" && scaled.has(o.metadata.name),
    ) as Json[];
    expect(deployments).toHaveLength(1);
    for (const deployment of deployments) expect(deployment.spec).not.toHaveProperty("replicas");
  });

  // #15 item 9: without a scrape the HPA reports FailedGetPodsMetric; the metric path is whole by default.
  it("plans the ServiceMonitor the in-flight metric needs unless the service has one or a KEDA query reads elsewhere", () => {
    const monitored = planModelService(
      "resnet",
      { ...resnetProps, monitoring: { serviceMonitor: true }, auth: "none" },
      gpuBinding,
    );
    const withOwn = planAutoscaledEndpoint("resnet", designProps, monitored);
    expect(withOwn.kubernetesObjects.filter((o) => o.kind === "ServiceMonitor")).toEqual([]);
    const monitor = planAutoscaledEndpoint("resnet-us-east-1", designProps, service).kubernetesObjects.find(
      (o) => o.kind === "ServiceMonitor",
    ) as Json;
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: "metrics", path: "/metrics" })]);
    validateAgainstUpstreamSchema(monitor as KubernetesObject);
    const ownQuery = planAutoscaledEndpoint(
      "resnet-us-east-1",
      {
        ...designProps,
        autoscaler: {
          type: "keda",
          prometheusServerAddress: "http://prometheus.monitoring:9090",
          query: 'sum(rate(nginx_requests_total{service="x"}[1m]))',
        },
      },
      service,
    );
    expect(ownQuery.kubernetesObjects.filter((o) => o.kind === "ServiceMonitor")).toEqual([]);
  });

  it("refuses an NLB in front of weighted versions", () => {
    const canary = planModelService("resnet", { ...canaryProps, auth: "none" }, gpuBinding);
    expect(problems(designProps, canary)).toEqual([
      'exposure.type ("nlb") would spread requests over the versions by pod count and ignore their weights (90/10); expose the service through its Gateway (HTTPRoute) and use exposure { type: "clusterIP" }',
    ]);
  });

  it("needs a literal namespace for the default KEDA query", () => {
    const servicePlan = planModelService("r", { ...resnetProps, namespace: pulumiOutput("ns") }, gpuBinding);
    expect(
      problems(
        {
          replicas: { min: 1, max: 3 },
          target: { inflightRequestsPerReplica: 4 },
          autoscaler: { type: "keda", prometheusServerAddress: "http://prometheus:9090" },
        },
        servicePlan,
      ),
    ).toEqual([
      "autoscaler.query needs the ModelService's namespace, which is not known until deployment: give the namespace as a plain string, or a query without {{namespace}}",
    ]);
  });

  it("rejects a CPU target with KEDA and a bad Prometheus address", () => {
    expect(
      problems({
        replicas: { min: 1, max: 3 },
        target: { inflightRequestsPerReplica: 4, cpuUtilizationPercent: 70 },
        autoscaler: { type: "keda", prometheusServerAddress: "prometheus:9090" },
      }),
    ).toEqual([
      'target.cpuUtilizationPercent (70) applies only to autoscaler { type: "hpa" }; the KEDA autoscaler scales on its query',
      'autoscaler.prometheusServerAddress ("prometheus:9090") must be an http(s) URL such as "http://prometheus.monitoring.svc:9090"',
    ]);
  });
});

describe("AutoscaledEndpoint validation of untyped (JavaScript) props", () => {
  it("requires the type of the exposure and the autoscaler", () => {
    expect(
      problems({
        replicas: { min: 1, max: 2 },
        target: { inflightRequestsPerReplica: 4 },
        autoscaler: { prometheusServerAddress: "http://p:9090" } as never,
        exposure: { scheme: "internal" } as never,
      }),
    ).toEqual([
      'autoscaler.type is required: one of "hpa", "keda"',
      'exposure.type is required: one of "clusterIP", "nlb"',
    ]);
  });

  it("refuses unknown keys at every level, suggesting the intended one", () => {
    expect(
      problems({
        ...designProps,
        replica: { min: 1 },
        target: { inflightRequestsPerReplica: 8, cpuUtilisationPercent: 70 },
        exposure: { type: "nlb", schema: "internal", loadBalancerCidrs: ["10.0.0.0/16"] },
      } as never),
    ).toEqual([
      'replica is not a prop (did you mean "replicas"?); allowed: replicas, target, autoscaler, exposure, capacity',
      'target.cpuUtilisationPercent is not a prop (did you mean "cpuUtilizationPercent"?); allowed: ' +
        "inflightRequestsPerReplica, cpuUtilizationPercent",
      'exposure.schema is not a prop (did you mean "scheme"?); allowed: type, scheme, port, sourceRanges, ' +
        "loadBalancerCidrs, admitRoute53HealthCheckers, tls",
    ]);
    expect(problems({ ...designProps, replicas: { min: 2, max: 4, maximum: 9 } } as never)).toEqual([
      'replicas.maximum is not a prop (did you mean "max"?); allowed: min, max',
    ]);
  });

  it("does not inspect unresolved values for keys", () => {
    expect(problems({ ...designProps, target: pulumiOutput } as never)).not.toContainEqual(
      expect.stringContaining("is not a prop"),
    );
  });
});
