/**
 * What a GpuNodePool adds for operating it: NVIDIA's DCGM exporter (GPU metrics for the dashboards and the
 * GPU-saturation alert) and, in Karpenter mode, a pinned AMI and a disruption budget for the GPU nodes.
 */
import { describe, expect, it } from "vitest";
import { DCGM_METRICS } from "../../src/plan/cluster-metrics";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import { PINNED_KARPENTER_AMI_VERSIONS } from "../../src/specs/gpu-node-pool";
import { resnetProps } from "./support/fixtures";
import type { Json } from "./support/json";
import { alertsOf } from "./support/observability";
import { restrictedViolations } from "./support/pod-security-standard";
import { validateAgainstUpstreamSchema } from "./support/schemas";

const managed = {
  clusterName: "prod",
  subnetIds: ["subnet-0123456789abcdef0"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
};
const karpenter = {
  ...managed,
  nodes: { min: 0, max: 4 },
  mode: "karpenter" as const,
  karpenter: { nodeRoleName: "KarpenterNodeRole-prod" },
};

function find(objects: readonly KubernetesObject[], kind: string): Json {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${objects.map((o) => o.kind).join(", ")}`);
  return found as Json;
}

describe("GpuNodePool dcgmExporter", () => {
  it("is off by default", () => {
    const plan = planGpuNodePool("gpu", managed);
    expect(plan.kubernetesObjects.map((o) => o.metadata.name)).not.toContain("gpu-dcgm-exporter");
  });

  const plan = planGpuNodePool("gpu", {
    ...managed,
    dcgmExporter: { enabled: true, serviceMonitorLabels: { release: "prometheus" } },
  });
  const exporter = plan.kubernetesObjects.filter((o) => o.metadata.name === "gpu-dcgm-exporter");

  it("plans a DaemonSet, Service, ServiceMonitor and NetworkPolicy, all schema-valid, in kube-system", () => {
    expect(exporter.map((o) => o.kind)).toEqual(["DaemonSet", "Service", "ServiceMonitor", "NetworkPolicy"]);
    for (const object of exporter) {
      expect(object.metadata.namespace).toBe("kube-system");
      validateAgainstUpstreamSchema(object);
    }
  });

  it("runs only on the pool's nodes, tolerating exactly the pool's taint (what its model pods tolerate)", () => {
    const pod = find(exporter, "DaemonSet").spec.template.spec;
    expect(pod.nodeSelector).toEqual(plan.binding.nodeSelector);
    expect(pod.tolerations).toEqual(plan.binding.tolerations);
  });

  it("is restricted as far as DCGM allows: root with SYS_ADMIN only, no token, read-only pod-resources", () => {
    const pod = find(exporter, "DaemonSet").spec.template.spec;
    const container = pod.containers[0];
    expect(container.securityContext).toEqual({
      runAsUser: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(container.volumeMounts).toEqual([
      { name: "pod-resources", mountPath: "/var/lib/kubelet/pod-resources", readOnly: true },
    ]);
    expect(container.resources.limits).not.toHaveProperty("nvidia.com/gpu");
    // Not a restricted pod, by design; the checker names exactly what DCGM needs.
    expect(restrictedViolations(pod).join("\n")).toMatch(/SYS_ADMIN|runAsNonRoot|hostPath/);
  });

  it("the ServiceMonitor keeps the exporter's pod labels (honorLabels) and the policy admits only monitoring", () => {
    const monitor = find(exporter, "ServiceMonitor");
    expect(monitor.metadata.labels.release).toBe("prometheus");
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: "metrics", honorLabels: true });
    expect(monitor.spec.selector.matchLabels).toEqual(find(exporter, "Service").spec.selector);
    const policy = find(exporter, "NetworkPolicy");
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [{ protocol: "TCP", port: 9400 }],
      },
    ]);
  });

  it("feeds what a GPU ModelService's alert reads: DCGM utilisation by the service's pod names", () => {
    const service = planModelService(
      "resnet",
      { ...resnetProps, monitoring: { serviceMonitor: true } },
      plan.binding,
    );
    const gpu = alertsOf(service.kubernetesObjects).find((a) => a.alert === "OnnxfleetGpuSaturated");
    expect(gpu?.expr).toContain(`${DCGM_METRICS.gpuUtilization}{`);
    expect(gpu?.expr).toContain('pod=~"(resnet-v1)-');
  });

  it("refuses bad options with their paths", () => {
    expect(() =>
      planGpuNodePool("gpu", {
        ...managed,
        dcgmExporter: { enabled: "yes", namespace: "Kube_System", scrapeInterval: 5 } as never,
      }),
    ).toThrow(
      /dcgmExporter\.scrapeInterval is not a prop \(did you mean "scrapeIntervalSeconds"\?\)[\s\S]*dcgmExporter\.enabled \("yes"\) must be a boolean[\s\S]*dcgmExporter\.namespace \("Kube_System"\) must be a DNS-1123 label/,
    );
  });
});

describe("GpuNodePool in Karpenter mode: AMI pinning and the GPU disruption budget", () => {
  it("pins the AMI alias by default, never `latest`", () => {
    const al2023 = find(planGpuNodePool("gpu", karpenter).kubernetesObjects, "EC2NodeClass");
    expect(al2023.spec.amiSelectorTerms).toEqual([
      { alias: `al2023@${PINNED_KARPENTER_AMI_VERSIONS.AL2023_x86_64_NVIDIA}` },
    ]);
    const bottlerocket = find(
      planGpuNodePool("gpu", { ...karpenter, amiType: "BOTTLEROCKET_x86_64_NVIDIA" }).kubernetesObjects,
      "EC2NodeClass",
    );
    expect(bottlerocket.spec.amiSelectorTerms).toEqual([
      { alias: `bottlerocket@${PINNED_KARPENTER_AMI_VERSIONS.BOTTLEROCKET_x86_64_NVIDIA}` },
    ]);
    for (const version of Object.values(PINNED_KARPENTER_AMI_VERSIONS)) expect(version).toMatch(/^v[0-9]/);
  });

  it("keeps a version you pin (or `latest` if you ask for it)", () => {
    for (const amiVersion of ["v20251001", "latest"]) {
      const nodeClass = find(
        planGpuNodePool("gpu", { ...karpenter, karpenter: { ...karpenter.karpenter, amiVersion } })
          .kubernetesObjects,
        "EC2NodeClass",
      );
      expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: `al2023@${amiVersion}` }]);
    }
  });

  it("limits voluntary disruption to one GPU node at a time by default, schema-valid", () => {
    const nodePool = find(planGpuNodePool("gpu", karpenter).kubernetesObjects, "NodePool");
    expect(nodePool.spec.disruption.budgets).toEqual([{ nodes: "1" }]);
    validateAgainstUpstreamSchema(nodePool as KubernetesObject);
    const wider = find(
      planGpuNodePool("gpu", {
        ...karpenter,
        karpenter: { ...karpenter.karpenter, disruptionBudgetNodes: "20%" },
      }).kubernetesObjects,
      "NodePool",
    );
    expect(wider.spec.disruption.budgets).toEqual([{ nodes: "20%" }]);
  });

  it("refuses a budget Karpenter would not accept", () => {
    expect(() =>
      planGpuNodePool("gpu", {
        ...karpenter,
        karpenter: { ...karpenter.karpenter, disruptionBudgetNodes: "one" },
      }),
    ).toThrow(/karpenter\.disruptionBudgetNodes \("one"\) must be a node count such as "1" or a percentage/);
  });
});
