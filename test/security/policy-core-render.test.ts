/**
 * Policy as code over everything the core plans and `onnxfleet render` prints: no 0.0.0.0/0 ingress without
 * the explicit opt-out, no internet-facing endpoint without TLS and a bearer token unless opted out, every
 * IAM trust policy scoped, every model policy naming exact objects, no secret value anywhere. The rules live
 * in test/support/security-policy.ts; each is also shown to catch what it forbids.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelPodIdentity } from "../../src/plan/model-pod-identity";
import { planModelService } from "../../src/plan/model-service";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import { parseTopology, planTopology } from "../../src/render";
import type { AutoscaledEndpointProps } from "../../src/specs/autoscaled-endpoint";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { topologyRequirements } from "../../src/topology-requirements";
import { CERTIFICATE_ARN, cdktfToken, pulumiOutput, SHA_A } from "../core/support/fixtures";
import {
  inexactModelPolicies,
  internetFacingWithoutAuthOrTls,
  leakedSecrets,
  type PolicySubject,
  securityViolations,
  unscopedTrustPolicies,
  wholeInternetIngress,
} from "../support/security-policy";

const root = new URL("../../", import.meta.url).pathname;
const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const pool = planGpuNodePool("gpu", {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 8 },
});

const serviceProps = (auth: ModelServiceProps["auth"]): ModelServiceProps => ({
  namespace: "inference",
  model: {
    name: "resnet50",
    // A key with a space and a literal "*": the policy must name that one object, not a pattern.
    uri: "s3://models/resnet%2050/3/model*.onnx",
    sha256: SHA_A,
    kmsKeyArn: KMS_KEY,
  },
  resources: { gpu: 1 },
  ...(auth !== undefined ? { auth } : {}),
});

const internetFacing = (
  overrides: Partial<Extract<AutoscaledEndpointProps["exposure"], { type: "nlb" }>> = {},
): AutoscaledEndpointProps => ({
  replicas: { min: 2, max: 8 },
  target: { inflightRequestsPerReplica: 8 },
  exposure: {
    type: "nlb",
    scheme: "internet-facing",
    sourceRanges: ["203.0.113.0/24"],
    admitRoute53HealthCheckers: true,
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: { certificateArn: CERTIFICATE_ARN },
    ...overrides,
  },
});

/** Everything planned for one service and its endpoint, as the policy reads it. */
function planned(auth: ModelServiceProps["auth"], endpoint: AutoscaledEndpointProps): PolicySubject {
  const service = planModelService("resnet", serviceProps(auth), pool.binding);
  const identity = planModelPodIdentity(service, "prod-use1");
  const ep = planAutoscaledEndpoint("resnet", endpoint, service);
  // An internet-facing endpoint also feeds a failover: its Route53 health checks are planned too.
  const failover =
    ep.loadBalancer?.scheme === "internet-facing"
      ? planMultiRegionFailover("global", {
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
          domainName: "infer.example.com",
          regions: [
            { region: "us-east-1", endpoint: { hostname: "a.elb.amazonaws.com", ...ep.loadBalancer } },
            { region: "us-west-2", endpoint: { hostname: "b.elb.amazonaws.com", protocol: "HTTPS" } },
          ],
        }).cloudResources
      : [];
  const cloud = [...pool.cloudResources, ...service.cloudResources, ...identity, ...failover];
  return {
    kubernetesObjects: [...pool.kubernetesObjects, ...service.kubernetesObjects, ...ep.kubernetesObjects],
    cloudResources: cloud.map((r) => ({ type: r.type, name: r.logicalName, properties: r.properties })),
  };
}

describe("policy as code over the core's plans", () => {
  it("passes: internet-facing with source ranges, TLS 1.3 and a token Secret (existing or created)", () => {
    expect(securityViolations(planned({ tokenSecret: { name: "resnet-token" } }, internetFacing()))).toEqual(
      [],
    );
    const created = planned({ tokenSecret: { value: pulumiOutput("token") } }, internetFacing());
    expect(securityViolations(created)).toEqual([]);
    expect(created.kubernetesObjects.find((o) => o.kind === "Secret")).toMatchObject({
      stringData: { token: { $sensitive: "auth.tokenSecret.value" } },
    });
  });

  it("passes: internal and in-cluster endpoints, with the defaults", () => {
    const internal: AutoscaledEndpointProps = {
      replicas: { min: 1, max: 2 },
      target: { inflightRequestsPerReplica: 4 },
      exposure: { type: "nlb", loadBalancerCidrs: ["10.0.0.0/16"] },
    };
    expect(securityViolations(planned(undefined, internal))).toEqual([]);
    const inCluster = { replicas: { min: 1, max: 2 }, target: { inflightRequestsPerReplica: 4 } };
    expect(securityViolations(planned(undefined, inCluster))).toEqual([]);
  });

  it("passes explicit opt-outs, which the load balancer Service names in onnxfleet.dev/opt-outs", () => {
    const open = planned("none", internetFacing({ sourceRanges: "anywhere", tls: "none" }));
    expect(securityViolations(open)).toEqual([]);
    const lb = open.kubernetesObjects.find((o) => o.kind === "Service" && o.metadata?.name === "resnet-nlb");
    expect(lb?.metadata?.annotations?.["onnxfleet.dev/opt-outs"]).toBe("sourceRanges,tls,auth");
    // Without the annotation the same objects fail every rule they relied on.
    delete (lb!.metadata!.annotations as Record<string, string>)["onnxfleet.dev/opt-outs"];
    expect(securityViolations(open)).toEqual([
      "Service resnet-nlb admits 0.0.0.0/0 without the sourceRanges opt-out",
      "Service resnet-nlb is internet-facing without TLS 1.3",
      "Service resnet-nlb is internet-facing in front of pods that take no bearer token",
    ]);
  });

  it("catches what each rule forbids", () => {
    const lb = {
      kind: "Service",
      metadata: {
        name: "open",
        annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" },
      },
      spec: { type: "LoadBalancer", selector: { app: "x" } },
    };
    const policy = {
      kind: "NetworkPolicy",
      metadata: { name: "open" },
      spec: { ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] },
    };
    expect(wholeInternetIngress({ kubernetesObjects: [lb, policy], cloudResources: [] })).toEqual([
      "Service open sets no loadBalancerSourceRanges (the controller would admit 0.0.0.0/0)",
      "NetworkPolicy open admits 0.0.0.0/0",
    ]);
    expect(internetFacingWithoutAuthOrTls({ kubernetesObjects: [lb], cloudResources: [] })).toHaveLength(2);
    const trust = (Statement: unknown) => ({
      type: "aws:iam:Role",
      name: "role",
      properties: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement }) },
    });
    // The trust policy onnxfleet planned before: any Pod Identity association in the account could assume it.
    const unscoped = [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ];
    expect(unscopedTrustPolicies({ kubernetesObjects: [], cloudResources: [trust(unscoped)] })).toEqual([
      "role trusts EKS Pod Identity without aws:SourceAccount, aws:RequestTag/eks-cluster-name, " +
        "aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account",
    ]);
    const read = (Resource: string[], Action = ["s3:GetObject"]) => ({
      type: "aws:iam:Policy",
      name: "read",
      properties: {
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] }),
      },
    });
    expect(
      inexactModelPolicies({ kubernetesObjects: [], cloudResources: [read(["arn:aws:s3:::models/*"])] }),
    ).toEqual(["read grants s3:GetObject on the pattern arn:aws:s3:::models/*"]);
    expect(
      inexactModelPolicies({ kubernetesObjects: [], cloudResources: [read(["*"], ["kms:Decrypt"])] }),
    ).toEqual(["read grants kms:Decrypt on the pattern *", "read grants kms:Decrypt on *, not one key"]);
    expect(leakedSecrets('{"token":"s3cr3t-s3cr3t-s3cr3t"}', ["s3cr3t-s3cr3t-s3cr3t"])).toHaveLength(1);
  });

  it("names the decoded key, with its literal * escaped, and the KMS key only through S3", () => {
    const subject = planned({ tokenSecret: { name: "resnet-token" } }, internetFacing());
    const read = subject.cloudResources.find((r) => r.type === "aws:iam:Policy");
    expect(JSON.parse(read?.properties.policy as string).Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::models/resnet 50/3/model${*}.onnx"],
      },
      {
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [KMS_KEY],
        Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
      },
    ]);
  });

  it("holds no secret value: a created token is a reference in every plan and spec", () => {
    const token = "tok-0123456789abcdef-not-in-any-plan";
    // As a CDKTF sensitive variable or a Pulumi secret, the core only ever sees an opaque value.
    for (const value of [cdktfToken(7), pulumiOutput(token)]) {
      const service = planModelService("resnet", serviceProps({ tokenSecret: { value } }), pool.binding);
      const text = JSON.stringify({
        plan: service,
        endpoint: planAutoscaledEndpoint("resnet", internetFacing(), service),
      });
      expect(leakedSecrets(text.replace(JSON.stringify(value), ""), [token])).toEqual([]);
      expect(JSON.stringify(service.spec.auth)).not.toContain(token);
    }
  });
});

describe("policy as code over `onnxfleet render` (the built CLI)", () => {
  for (const file of ["examples/topology/resnet-internet.yaml", "examples/topology/resnet.yaml"]) {
    it(`${file}: rendered objects pass`, () => {
      const result = spawnSync(process.execPath, [`${root}bin/onnxfleet.cjs`, "render", file], {
        cwd: root,
        encoding: "utf8",
      });
      // stderr lists what the file cannot create (#15 render); no problem is reported.
      expect(result.stderr).not.toContain("ONNXFLEET_");
      expect(result.status).toBe(0);
      const objects = parseAllDocuments(result.stdout).map((d) => d.toJSON());
      expect(objects.length).toBeGreaterThan(0);
      // The cloud resources it lists for Terraform or the console pass the same policy.
      const topology = parseTopology(readFileSync(`${root}${file}`, "utf8"));
      const required = topologyRequirements(topology, planTopology(topology)).cloudResources;
      expect(required.length).toBeGreaterThan(0);
      expect(
        securityViolations({
          kubernetesObjects: objects,
          cloudResources: required.map(({ resource: r }) => ({
            type: r.type,
            name: r.logicalName,
            properties: r.properties,
          })),
        }),
      ).toEqual([]);
    });
  }

  it("refuses a plain-string token in a topology file, without echoing it", () => {
    const secret = "plain-text-token-0123456789";
    const file = [
      "modelServices:",
      "  svc:",
      `    model: { name: m, uri: "s3://b1/m.onnx", sha256: "${SHA_A}" }`,
      `    auth: { tokenSecret: { value: "${secret}" } }`,
    ].join("\n");
    const result = spawnSync(process.execPath, [`${root}bin/onnxfleet.cjs`, "render", "-"], {
      cwd: root,
      encoding: "utf8",
      input: file,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("auth.tokenSecret.value is a plain string");
    expect(leakedSecrets(result.stdout + result.stderr, [secret])).toEqual([]);
  });
});
