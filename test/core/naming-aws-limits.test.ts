/**
 * Every physical AWS name or prefix onnxfleet generates stays within its service's limit, for any valid
 * construct name up to the maximum length (#15 item 3). IAM: role names at most 64 characters, and Terraform /
 * Pulumi append 26 characters to a `namePrefix`, so a prefix is at most 38
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); EKS node group names at most 63
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html), so a prefix at most 37.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NAME_MAX_LENGTH } from "../../src/naming";
import { fitName } from "../../src/naming-aws-limits";
import { GPU_NODE_POOL_NAME_MAX_LENGTH } from "../../src/naming-gpu-pool-failover";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelServiceCloud } from "../../src/plan/model-pod-identity";
import { planModelService } from "../../src/plan/model-service";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import { gpuBinding, resnetProps } from "./support/fixtures";

/** A DNS-1035 label of 1 to `max` characters, lengths drawn evenly (long names are the point). */
const label = (max: number) =>
  fc.integer({ min: 1, max }).chain((length) =>
    fc
      .array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), {
        minLength: length - 1,
        maxLength: length - 1,
      })
      .map((rest) => `a${rest.join("")}`.replace(/-$/, "z")),
  );

const prefixOf = (properties: Record<string, unknown>) =>
  (properties.namePrefix ?? properties.nodeGroupNamePrefix) as string;

describe("generated AWS names within AWS's limits", () => {
  it("a ModelService's Pod Identity role namePrefix is at most 38 characters, unchanged when it fits", () => {
    fc.assert(
      fc.property(label(NAME_MAX_LENGTH), (name) => {
        const cloud = planModelServiceCloud(planModelService(name, resnetProps, gpuBinding), "prod-use1");
        const role = cloud.cloudResources.find((r) => r.type === "aws:iam:Role");
        const prefix = prefixOf(role?.properties as Record<string, unknown>);
        expect(prefix.length).toBeLessThanOrEqual(38);
        expect(prefix).toMatch(/^[\w+=,.@-]+-$/); // IAM's role-name characters
        if (name.length + 1 <= 38) expect(prefix).toBe(`${name}-`);
      }),
    );
  });

  it("the 50-character maximum gets a distinct, deterministic prefix", () => {
    const long = `a${"b".repeat(NAME_MAX_LENGTH - 1)}`;
    const other = `a${"b".repeat(NAME_MAX_LENGTH - 2)}c`;
    expect(fitName(`${long}-`, 38, "-")).toHaveLength(38);
    expect(fitName(`${long}-`, 38, "-")).toBe(fitName(`${long}-`, 38, "-"));
    expect(fitName(`${long}-`, 38, "-")).not.toBe(fitName(`${other}-`, 38, "-"));
  });

  it("a GpuNodePool's role, launch template and node group prefixes fit IAM (38) and EKS (37)", () => {
    fc.assert(
      fc.property(label(GPU_NODE_POOL_NAME_MAX_LENGTH), (name) => {
        const plan = planGpuNodePool(name, {
          clusterName: "prod-use1",
          subnetIds: ["subnet-0123456789abcdef0"],
          instanceTypes: ["g5.xlarge"],
          nodes: { min: 1, max: 2 },
        });
        for (const resource of plan.cloudResources) {
          const prefix = prefixOf(resource.properties as Record<string, unknown>);
          if (prefix === undefined) continue;
          const limit = resource.type === "aws:eks:NodeGroup" ? 37 : 38;
          expect(prefix.length, `${resource.type} ${prefix}`).toBeLessThanOrEqual(limit);
        }
      }),
    );
  });
});

describe("Route53 health check tags within AWS's limits", () => {
  // Tag values are at most 256 characters (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Tag.html).
  it("the Name tag of every health check is at most 256 characters, for failover names up to 63", () => {
    fc.assert(
      fc.property(label(63), (name) => {
        const plan = planMultiRegionFailover(name, {
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
          domainName: "infer.example.com",
          regions: [
            { region: "ap-southeast-2", endpoint: { hostname: "a.elb.amazonaws.com" } },
            { region: "us-east-1", endpoint: { hostname: "b.elb.amazonaws.com" } },
          ],
        });
        for (const check of plan.cloudResources.filter((r) => r.type === "aws:route53:HealthCheck"))
          for (const value of Object.values((check.properties as { tags: Record<string, string> }).tags))
            expect(value.length).toBeLessThanOrEqual(256);
      }),
    );
  });
});
