/**
 * The README's prerequisites list matches what the plans assume (#15 "done when"): every API group, metric
 * source, load balancer class, namespace label, cloud resource and tag the core plans for the example
 * topologies (and one that uses every optional part) needs a cluster component, and that component has a row
 * in README.md's "Prerequisites" table. A plan that starts using something new without a row fails here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTopology, planTopology, type TopologyFile, type TopologyPlan } from "../src/render";

const root = new URL("..", import.meta.url).pathname;
const readme = readFileSync(`${root}README.md`, "utf8");
const prerequisites = readme.slice(readme.indexOf("## Prerequisites"), readme.indexOf("## Install"));

const sha = "a".repeat(64);
/** Every optional part: KEDA, canary versions behind a Gateway, the DCGM exporter, a Karpenter pool. */
const everything: TopologyFile = {
  gpuNodePools: {
    gpu: {
      clusterName: "prod",
      subnetIds: ["subnet-0a1b2c3d4e5f60718"],
      instanceTypes: ["g5.xlarge"],
      nodes: { min: 1, max: 8 },
      dcgmExporter: { enabled: true },
    },
    spot: {
      mode: "karpenter",
      clusterName: "prod",
      instanceTypes: ["g6.xlarge"],
      nodes: { min: 0, max: 4 },
      karpenter: { nodeRoleName: "KarpenterNodeRole-prod" },
    },
  },
  modelServices: {
    canary: {
      nodePool: "gpu",
      namespace: "inference",
      resources: { gpu: 1 },
      model: {
        name: "resnet50",
        versions: [
          { version: 3, uri: "s3://models/resnet50/3/model.onnx", sha256: sha, weightPercent: 90 },
          { version: 4, uri: "s3://models/resnet50/4/model.onnx", sha256: sha, weightPercent: 10 },
        ],
      },
      gateway: { name: "inference", namespace: "gateways" },
    },
  },
  autoscaledEndpoints: {
    canary: {
      service: "canary",
      replicas: { min: 1, max: 4 },
      target: { inflightRequestsPerReplica: 8 },
      autoscaler: { type: "keda", prometheusServerAddress: "http://prometheus.monitoring:9090" },
    },
  },
};

/** What each assumption needs: a phrase of the README row that provides it. */
const API_GROUPS: Record<string, string> = {
  "": "Kubernetes (EKS)",
  apps: "Kubernetes (EKS)",
  policy: "Kubernetes (EKS)",
  "networking.k8s.io": "Kubernetes (EKS)",
  autoscaling: "Kubernetes (EKS)",
  "monitoring.coreos.com": "prometheus-operator",
  "keda.sh": "KEDA",
  "gateway.networking.k8s.io": "Gateway API",
  "karpenter.sh": "Karpenter",
  "karpenter.k8s.aws": "Karpenter",
};

/** The cluster components `plan` assumes, as README phrases. */
function assumptions(plan: TopologyPlan): Set<string> {
  const needed = new Set<string>();
  for (const object of plan.kubernetesObjects) {
    const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0]! : "";
    const row = API_GROUPS[group];
    if (row === undefined) throw new Error(`${object.apiVersion} ${object.kind}: no README row known`);
    needed.add(row);
    const spec = object.spec as Record<string, unknown> | undefined;
    if (object.kind === "HorizontalPodAutoscaler")
      for (const metric of (spec?.metrics ?? []) as { type: string }[])
        needed.add(metric.type === "Pods" ? "Prometheus Adapter" : "metrics-server");
    if (object.kind === "Service" && spec?.loadBalancerClass === "service.k8s.aws/nlb")
      needed.add("AWS Load Balancer Controller");
    if (object.kind === "ConfigMap" && object.metadata.labels?.grafana_dashboard === "1")
      needed.add('`grafana_dashboard: "1"`');
    if (object.kind === "Deployment" && JSON.stringify(spec).includes('"preStop":{"sleep"'))
      needed.add("preStop `sleep`");
  }
  for (const endpoint of Object.values(plan.autoscaledEndpoints))
    for (const labels of endpoint.namespaceLabels)
      for (const [key, value] of Object.entries(labels.labels)) needed.add(`${key}: ${value}`);
  for (const service of Object.values(plan.modelServices))
    if (service.s3ReadAccess) needed.add("Pod Identity Agent");
  for (const pool of Object.values(plan.gpuNodePools))
    for (const resource of pool.cloudResources) {
      const tags = (resource.properties as { tags?: Record<string, string> }).tags ?? {};
      if ("k8s.io/cluster-autoscaler/enabled" in tags)
        needed.add("--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled");
    }
  return needed;
}

describe("README.md prerequisites", () => {
  const topologies: [string, TopologyFile][] = [
    ...["resnet.yaml", "resnet-internet.yaml", "gpu-pools.yaml"].map((file): [string, TopologyFile] => [
      file,
      parseTopology(readFileSync(`${root}examples/topology/${file}`, "utf8")),
    ]),
    ["every optional part", everything],
  ];

  it.each(topologies)("name every cluster component %s's plans assume", (_, topology) => {
    const needed = assumptions(planTopology(topology));
    expect(needed.size).toBeGreaterThan(2);
    for (const phrase of needed) expect(prerequisites, phrase).toContain(phrase);
  });

  it("covers, over these topologies, every component a row is there for", () => {
    const all = new Set(topologies.flatMap(([, topology]) => [...assumptions(planTopology(topology))]));
    for (const phrase of [
      "Pod Identity Agent",
      "AWS Load Balancer Controller",
      "Prometheus Adapter",
      "KEDA",
      "metrics-server",
      "prometheus-operator",
      "Karpenter",
      "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled",
      "Gateway API",
      '`grafana_dashboard: "1"`',
      "elbv2.k8s.aws/pod-readiness-gate-inject: enabled",
    ])
      expect(all, phrase).toContain(phrase);
  });
});
