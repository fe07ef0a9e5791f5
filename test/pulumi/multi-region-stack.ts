/**
 * The stack a multi-region Pulumi program runs with under mocks: two regions (clusters, subnets, VPC CIDRs,
 * ACM certificates), the hosted zone, the model and the bearer token. examples/pulumi-multi-region reads
 * them from its `regions` config object; the README's multi-region program holds the regions in code (the
 * same ones) and reads the per-region values from `kubeconfig-<region>` and `certificateArn-<region>`.
 */
import * as pulumi from "@pulumi/pulumi";

/** The two regions, as the README's program lists them and the example's `regions` config holds them. */
export const MULTI_REGION_REGIONS = [
  {
    region: "us-east-1",
    clusterName: "prod-use1",
    subnetIds: ["subnet-0a1b2c3d4e5f60718"],
    vpcCidr: "10.0.0.0/16",
    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
  },
  {
    region: "eu-west-1",
    clusterName: "prod-euw1",
    subnetIds: ["subnet-0f1e2d3c4b5a60718"],
    vpcCidr: "10.1.0.0/16",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
  },
] as const;

/** The DNS name and hosted zone both programs serve from. */
export const MULTI_REGION_DOMAIN = { hostedZoneId: "Z0123456789ABCDEFGHIJ", domainName: "infer.example.com" };

/** Config values both programs read. */
function sharedConfig(authToken: string): Record<string, string> {
  return {
    hostedZoneId: MULTI_REGION_DOMAIN.hostedZoneId,
    modelUri: "s3://models/resnet50/3/model.onnx",
    modelSha256: "9f2c".padEnd(64, "0"),
    clientRanges: JSON.stringify(["203.0.113.0/24"]),
    authToken,
  };
}

/** Sets the stack config of `project` (keys prefixed `<project>:`), `authToken` as a secret. */
function setStackConfig(project: string, values: Record<string, string>, secrets: string[]): void {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(values).map(([key, value]) => [`${project}:${key}`, value])),
    secrets.map((key) => `${project}:${key}`),
  );
}

/** The stack config of examples/pulumi-multi-region (project `onnxfleet-multi-region`). */
export function setExampleMultiRegionConfig(authToken: string): void {
  setStackConfig(
    "onnxfleet-multi-region",
    {
      ...sharedConfig(authToken),
      regions: JSON.stringify(MULTI_REGION_REGIONS),
      domainName: MULTI_REGION_DOMAIN.domainName,
    },
    ["authToken"],
  );
}

/** The stack config of the README's multi-region program, for `project`. */
export function setReadmeMultiRegionConfig(project: string, authToken: string): void {
  const perRegion = MULTI_REGION_REGIONS.flatMap(({ region, certificateArn }) => [
    [`kubeconfig-${region}`, "{}"],
    [`certificateArn-${region}`, certificateArn],
  ]);
  setStackConfig(project, { ...sharedConfig(authToken), ...Object.fromEntries(perRegion) }, [
    "authToken",
    ...MULTI_REGION_REGIONS.map(({ region }) => `kubeconfig-${region}`),
  ]);
}
