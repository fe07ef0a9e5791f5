/** The test helpers can fail: they reject objects that break the schemas or the restricted profile. */
import { describe, expect, it } from "vitest";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import { gpuBinding, resnetProps } from "./support/fixtures";
import type { Json } from "./support/json";
import { restrictedViolations } from "./support/pod-security-standard";
import { validateAgainstUpstreamSchema } from "./support/schemas";

function resnetPod(): Json {
  const deployment = planModelService("resnet", resnetProps, gpuBinding).kubernetesObjects.find(
    (o) => o.kind === "Deployment",
  );
  return structuredClone((deployment as Json).spec.template.spec);
}

describe("validateAgainstUpstreamSchema", () => {
  const meta = { name: "x", namespace: "default" };
  it.each<[string, KubernetesObject]>([
    [
      "Deployment without selector",
      { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { template: {} } },
    ],
    [
      "HTTPRoute with a weight above 1000000",
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: meta,
        spec: { rules: [{ backendRefs: [{ name: "a", port: 80, weight: 2_000_000 }] }] },
      },
    ],
    [
      "ScaledObject without scaleTargetRef",
      { apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: meta, spec: { triggers: [] } },
    ],
    [
      "ServiceMonitor with a non-array endpoints",
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta,
        spec: { selector: {}, endpoints: "metrics" },
      },
    ],
    [
      "HPA with a string minReplicas",
      {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: meta,
        spec: { scaleTargetRef: { kind: "Deployment", name: "x" }, minReplicas: "2", maxReplicas: 3 },
      },
    ],
    ["an unknown kind", { apiVersion: "v1", kind: "Pod", metadata: meta }],
  ])("rejects %s", (_, object) => {
    expect(() => validateAgainstUpstreamSchema(object)).toThrow();
  });
});

describe("restrictedViolations", () => {
  it("passes the planned pod", () => {
    expect(restrictedViolations(resnetPod())).toEqual([]);
  });

  it.each<[string, (pod: Json) => void, RegExp]>([
    ["hostNetwork", (p) => (p.hostNetwork = true), /hostNetwork/],
    ["hostPID", (p) => (p.hostPID = true), /hostPID/],
    ["a hostPath volume", (p) => p.volumes.push({ name: "h", hostPath: { path: "/" } }), /hostPath/],
    [
      "a privileged init container",
      (p) => (p.initContainers[0].securityContext.privileged = true),
      /privileged/,
    ],
    [
      "an added capability",
      (p) => (p.containers[0].securityContext.capabilities.add = ["SYS_ADMIN"]),
      /capability SYS_ADMIN/,
    ],
    ["no drop ALL", (p) => (p.initContainers[0].securityContext.capabilities = {}), /drop must include ALL/],
    [
      "privilege escalation",
      (p) => delete p.initContainers[0].securityContext.allowPrivilegeEscalation,
      /allowPrivilegeEscalation/,
    ],
    ["root user", (p) => (p.containers[0].securityContext.runAsUser = 0), /runAsUser must not be 0/],
    [
      "runAsNonRoot missing everywhere",
      (p) => {
        delete p.securityContext.runAsNonRoot;
        delete p.containers[0].securityContext.runAsNonRoot;
      },
      /runAsNonRoot must be true/,
    ],
    [
      "Unconfined seccomp",
      (p) => (p.containers[0].securityContext.seccompProfile = { type: "Unconfined" }),
      /seccompProfile.type Unconfined/,
    ],
    [
      "seccomp missing everywhere",
      (p) => {
        delete p.securityContext.seccompProfile;
        delete p.initContainers[0].securityContext.seccompProfile;
      },
      /seccompProfile must be/,
    ],
    ["a host port", (p) => (p.containers[0].ports[0].hostPort = 8000), /hostPort/],
    [
      "an unsafe sysctl",
      (p) => (p.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
      /sysctls/,
    ],
  ])("flags %s", (_, mutate, expected) => {
    const pod = resnetPod();
    mutate(pod);
    expect(restrictedViolations(pod).join("\n")).toMatch(expected);
  });
});
