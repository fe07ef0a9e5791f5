/**
 * Policy as code over a Pulumi program under mocks: examples/pulumi-multi-region (internet-facing NLBs in two
 * regions behind Route53 failover), every Kubernetes object and AWS resource it registers. The bearer token
 * is a stack secret: it reaches only the Secret objects, and reaches them as a Pulumi secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { recordResources, resolved } from "../pulumi/harness";
import { setExampleMultiRegionConfig } from "../pulumi/multi-region-stack";
import { leakedSecrets, securityViolations } from "../support/security-policy";

const recording = recordResources("onnxfleet-multi-region");
const TOKEN = "policy-test-token-0123456789abcdef";
setExampleMultiRegionConfig(TOKEN);

// What the engine receives, before the mocks unwrap it: secrets travel marked with Pulumi's secret signature.
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const sent = new Map<string, string>();
const monitor = pulumi.runtime.getMonitor() as unknown as {
  registerResource: (
    req: { getType(): string; getName(): string; getObject(): { toJavaScript(): unknown } },
    cb: unknown,
  ) => void;
};
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, cb) => {
  sent.set(`${req.getType()} ${req.getName()}`, JSON.stringify(req.getObject()?.toJavaScript() ?? {}));
  return register(req, cb);
};

const program = await import("../../examples/pulumi-multi-region/index");
await recording.settle();

const kubernetesObjects = recording.resources
  .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
  .map((r) => r.inputs);
const cloudResources = recording.resources
  .filter((r) => r.custom && r.type.startsWith("aws:"))
  .map((r) => ({ type: r.type, name: r.name, properties: r.inputs }));

describe("policy as code over examples/pulumi-multi-region under Pulumi mocks", () => {
  it("creates internet-facing NLBs, Pod Identity roles and model policies to check", () => {
    const lbs = kubernetesObjects.filter(
      (o) => o.kind === "Service" && (o.spec as { type?: string }).type === "LoadBalancer",
    );
    expect(lbs).toHaveLength(2);
    expect(
      cloudResources
        .filter((r) => r.type === "aws:iam/role:Role")
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "gpu-eu-west-1-node-role",
      "gpu-us-east-1-node-role",
      "resnet-eu-west-1-pod-role",
      "resnet-us-east-1-pod-role",
    ]);
  });

  it("passes every rule: closed ingress, TLS 1.3 and a token, scoped trust, exact objects", () => {
    expect(securityViolations({ kubernetesObjects, cloudResources })).toEqual([]);
  });

  it("admits Route53's health checkers, which probe over HTTPS on 443", () => {
    const lb = kubernetesObjects.find(
      (o) => (o.metadata as { name: string }).name === "resnet-us-east-1-nlb",
    );
    const ranges = (lb!.spec as { loadBalancerSourceRanges: string[] }).loadBalancerSourceRanges;
    expect(ranges).toContain("203.0.113.0/24");
    expect(ranges).toContain("15.177.0.0/18");
    for (const check of recording.ofType("aws:route53/healthCheck:HealthCheck"))
      expect(check.inputs).toMatchObject({ type: "HTTPS", port: 443, enableSni: true });
  });

  it("sends the token only in the Secrets, as a Pulumi secret, and in no output", async () => {
    const holders = [...sent].filter(([, object]) => object.includes(TOKEN)).map(([key]) => key);
    expect(holders.sort()).toEqual([
      "kubernetes:core/v1:Secret resnet-eu-west-1-auth",
      "kubernetes:core/v1:Secret resnet-us-east-1-auth",
    ]);
    for (const key of holders) {
      // The whole stringData goes to the engine wrapped as a secret: encrypted in state, masked in logs.
      expect(JSON.parse(sent.get(key)!).stringData).toEqual({
        "4dabf18193072939515e22adb298388d": SECRET_SIGNATURE,
        value: { token: TOKEN },
      });
    }
    const outputs = JSON.stringify(
      await resolved(
        pulumi.output({
          url: program.url,
          hostnames: program.regionalHostnames,
          checks: program.healthCheckIds,
        }),
      ),
    );
    expect(leakedSecrets(outputs, [TOKEN])).toEqual([]);
  });
});
