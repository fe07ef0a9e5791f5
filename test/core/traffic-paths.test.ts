/**
 * Traffic paths that used to break on a real cluster: canary traffic from a Gateway's proxies (admitted by the
 * NetworkPolicy, checked by evaluating the rendered policy), and scale to zero behind an NLB (refused).
 */
import { describe, expect, it } from "vitest";
import { planModelService } from "../../src/plan/model-service";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { canaryProps, gpuBinding } from "./support/fixtures";
import type { Json } from "./support/json";
import { validateAgainstUpstreamSchema } from "./support/schemas";

/** A client of the pods: the labels of its namespace, or its IP. */
type Source = { readonly namespace: string } | { readonly ip: string };

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/") as [string, string];
  const toInt = (a: string) => a.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const mask = Number(bits) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(bits));
  return (toInt(ip) & mask) >>> 0 === (toInt(base) & mask) >>> 0;
}

/**
 * Evaluates a NetworkPolicy's ingress for a TCP connection from `source` to `port` of a selected pod in
 * `podNamespace`, following the NetworkPolicy semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a rule admits when one of its `from` peers matches and one of its ports matches.
 */
function admits(policy: Json, podNamespace: string, source: Source, port: number): boolean {
  return (policy.spec.ingress as Json[]).some((rule) => {
    const portOk = (rule.ports ?? [{ port }]).some((p: Json) => p.port === port);
    const fromOk = (rule.from as Json[]).some((peer) => {
      if (peer.ipBlock) return "ip" in source && inCidr(source.ip, peer.ipBlock.cidr);
      if (!("namespace" in source)) return false;
      if (peer.namespaceSelector) {
        const labels: Record<string, string> = { "kubernetes.io/metadata.name": source.namespace };
        return Object.entries(peer.namespaceSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
      }
      // podSelector alone: pods of the policy's own namespace.
      return source.namespace === podNamespace;
    });
    return portOk && fromOk;
  });
}

/** The shared canary service (two weighted versions behind a Gateway), in its own namespace. */
const canary: ModelServiceProps = { ...canaryProps, namespace: "ml" };
const policyOf = (props: ModelServiceProps) => {
  const policy = planModelService("resnet", props, gpuBinding).kubernetesObjects.find(
    (o) => o.kind === "NetworkPolicy",
  ) as Json;
  validateAgainstUpstreamSchema(policy as never);
  return policy;
};

describe("canary traffic through a Gateway reaches the pods", () => {
  it("the Gateway's own namespace is admitted to the serving port, not to metrics (Istio, NGINX Gateway Fabric)", () => {
    const policy = policyOf(canary);
    expect(admits(policy, "ml", { namespace: "gateways" }, 8000)).toBe(true);
    expect(admits(policy, "ml", { namespace: "gateways" }, 8002)).toBe(false);
    expect(admits(policy, "ml", { namespace: "elsewhere" }, 8000)).toBe(false);
    expect(admits(policy, "ml", { namespace: "ml" }, 8000)).toBe(true);
  });

  it("Envoy Gateway: proxies in envoy-gateway-system are admitted", () => {
    const policy = policyOf({
      ...canary,
      gateway: { ...canary.gateway!, dataPlane: { implementation: "envoy-gateway" } },
    });
    expect(admits(policy, "ml", { namespace: "envoy-gateway-system" }, 8000)).toBe(true);
    expect(admits(policy, "ml", { namespace: "kube-system" }, 8000)).toBe(false);
  });

  it("AWS VPC Lattice: its link-local range 169.254.171.0/24 is admitted, other link-local addresses are not", () => {
    const policy = policyOf({
      ...canary,
      gateway: { ...canary.gateway!, dataPlane: { implementation: "aws-vpc-lattice" } },
    });
    expect(admits(policy, "ml", { ip: "169.254.171.37" }, 8000)).toBe(true);
    expect(admits(policy, "ml", { ip: "169.254.169.254" }, 8000)).toBe(false);
    expect(admits(policy, "ml", { ip: "169.254.171.37" }, 8002)).toBe(false);
  });

  it("your own proxy namespaces and ranges, validated with their paths", () => {
    const policy = policyOf({
      ...canary,
      gateway: { ...canary.gateway!, dataPlane: { namespaces: ["edge"], cidrs: ["10.9.0.0/16"] } },
    });
    expect(admits(policy, "ml", { namespace: "edge" }, 8000)).toBe(true);
    expect(admits(policy, "ml", { ip: "10.9.3.4" }, 8000)).toBe(true);
    expect(() =>
      planModelService("resnet", {
        ...canary,
        gateway: {
          ...canary.gateway!,
          dataPlane: { implementation: "traefik", cidrs: ["10.9.0.0/33"] } as never,
        },
      }),
    ).toThrow(/gateway\.dataPlane\.implementation \("traefik"\)[\s\S]*gateway\.dataPlane\.cidrs\[0\]/);
  });

  it("a Gateway in the service's own namespace adds no duplicate source", () => {
    const policy = policyOf({ ...canary, gateway: { name: "public" } });
    expect(policy.spec.ingress[0].from).toEqual([{ podSelector: {} }]);
  });
});
