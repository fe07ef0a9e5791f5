/**
 * A two-region program as a user writes it (docs/cdktf.md): per region a provider pair, a GPU pool, a model
 * service and an NLB endpoint; one failover DNS name over both, on a global AWS provider.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { type TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import {
  AutoscaledEndpoint,
  GpuNodePool,
  ModelService,
  MultiRegionFailover,
  type MultiRegionFailoverProps,
} from "../../constructs/cdktf";
import { ERROR_CODES, ValidationError } from "../../src/errors";
import {
  danglingReferences,
  expectClusterChecksPass,
  manifests,
  regionProviders,
  resourcesOfType,
  synthStack,
} from "./support";

const REGIONS = [
  { region: "us-east-1" as const, clusterName: "prod-use1", subnetIds: ["subnet-0a1b2c3d4e5f60718"] },
  { region: "eu-west-1" as const, clusterName: "prod-euw1", subnetIds: ["subnet-0f1e2d3c4b5a69788"] },
];
const model = { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: "a".repeat(64) };

function twoRegions(stack: TerraformStack, failover: Partial<MultiRegionFailoverProps> = {}) {
  const endpoints = REGIONS.map(({ region, clusterName, subnetIds }) => {
    const providers = regionProviders(stack, region);
    const pool = new GpuNodePool(stack, `gpu-${region}`, {
      clusterName,
      subnetIds,
      instanceTypes: ["g5.xlarge"],
      nodes: { min: 1, max: 4 },
      providers,
    });
    const service = new ModelService(stack, `resnet-${region}`, {
      model,
      resources: { gpu: 1, cpu: "2", memory: "8Gi" },
      nodePool: pool,
      auth: { tokenSecret: { name: "resnet-token" } },
      providers,
    });
    return new AutoscaledEndpoint(stack, `resnet-${region}`, {
      service,
      replicas: { min: 2, max: 4 },
      target: { inflightRequestsPerReplica: 8 },
      exposure: {
        type: "nlb",
        scheme: "internet-facing",
        sourceRanges: ["203.0.113.0/24"],
        admitRoute53HealthCheckers: true,
        loadBalancerCidrs: ["10.0.0.0/16"],
        tls: {
          certificateArn: `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`,
        },
      },
      providers,
    });
  });
  const globalAws = new AwsProvider(stack, "aws-global", { region: "us-east-1", alias: "global" });
  return new MultiRegionFailover(stack, "resnet-global", {
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    domainName: "infer.example.com",
    routing: "failover",
    regions: endpoints.map((endpoint, i) => ({ region: REGIONS[i]!.region, endpoint })),
    maxFailoverSeconds: 120,
    providers: { aws: globalAws },
    ...failover,
  });
}

describe("CDKTF two-region failover program", () => {
  let failover: MultiRegionFailover | undefined;
  const { json, config } = synthStack((stack) => {
    failover = twoRegions(stack);
  });
  const lbServiceOf = (region: string) =>
    Object.entries(resourcesOfType(config, "kubernetes_manifest")).find(
      ([id, r]) =>
        id.startsWith(`resnet-${region}-endpoint_`) && (r.manifest as { kind: string }).kind === "Service",
    )?.[0];

  it("has an NVIDIA node group and a Pod Identity association per region, on that region's provider", () => {
    for (const { region, clusterName } of REGIONS) {
      expect(
        Testing.toHaveResourceWithProperties(json, "aws_eks_node_group", {
          cluster_name: clusterName,
          ami_type: "AL2023_x86_64_NVIDIA",
          provider: `aws.${region}`,
        }),
      ).toBe(true);
      expect(
        Testing.toHaveResourceWithProperties(json, "aws_eks_pod_identity_association", {
          cluster_name: clusterName,
          service_account: `resnet-${region}`,
          provider: `aws.${region}`,
        }),
      ).toBe(true);
    }
  });

  it("checks each region's NLB hostname and routes PRIMARY then SECONDARY, on the global provider", () => {
    const checks = Object.values(resourcesOfType(config, Route53HealthCheck.tfResourceType));
    const records = Object.values(resourcesOfType(config, Route53Record.tfResourceType));
    expect(checks).toHaveLength(2);
    expect(records).toHaveLength(2);
    REGIONS.forEach(({ region }, i) => {
      const hostname = `\${kubernetes_manifest.${lbServiceOf(region)}.object.status.loadBalancer.ingress[0].hostname}`;
      expect(checks.find((c) => c.fqdn === hostname)).toMatchObject({
        resource_path: "/v2/health/ready",
        provider: "aws.global",
      });
      expect(records.find((r) => r.set_identifier === region)).toMatchObject({
        name: "infer.example.com",
        type: "CNAME",
        records: [hostname],
        failover_routing_policy: { type: i === 0 ? "PRIMARY" : "SECONDARY" },
        provider: "aws.global",
      });
    });
    expect(failover?.worstCaseFailoverSeconds).toBe(60);
    expect(Object.keys(failover?.healthCheckIds ?? {})).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("names only resources, data sources, variables and providers the stack defines in every reference", () => {
    expect(danglingReferences(config)).toEqual([]);
  });

  it("holds manifests that pass the upstream schemas and the restricted Pod Security Standard", () => {
    expect(expectClusterChecksPass(manifests(config))).toBeGreaterThan(10);
  });
});

describe("CDKTF MultiRegionFailover refuses a topology slower than maxFailoverSeconds", () => {
  it("with the arithmetic, before any failover child is created", () => {
    let stackOf: TerraformStack | undefined;
    let error: unknown;
    try {
      synthStack((stack) => {
        stackOf = stack;
        twoRegions(stack, {
          healthCheck: { intervalSeconds: 30, failureThreshold: 3 },
          ttlSeconds: 60,
          maxFailoverSeconds: 120,
        });
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe(ERROR_CODES.INVALID_PROPS);
    expect((error as ValidationError).message).toContain(
      "maxFailoverSeconds (120) cannot be met: healthCheck.intervalSeconds (30) x failureThreshold (3) + ttlSeconds (60) = 150 s",
    );
    expect(stackOf?.node.tryFindChild("resnet-global")).toBeUndefined();
  });
});
