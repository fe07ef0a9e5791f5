import { describe, expect, it } from "vitest";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import {
  type CloudResourceRef,
  cloudRef,
  convertCloudRefValue,
  isCloudResourceRef,
  replaceCloudRefs,
} from "../../src/plan/types";

describe("references between planned cloud resources", () => {
  it("are recognised by shape", () => {
    expect(isCloudResourceRef(cloudRef("gpu-node-role", "arn"))).toBe(true);
    expect(isCloudResourceRef({ $ref: "x" })).toBe(false);
    expect(isCloudResourceRef("gpu-node-role")).toBe(false);
  });

  it("are replaced at any depth, leaving everything else as it is", () => {
    const output = { __pulumiOutput: true, value: cloudRef("never", "inspected") };
    const promise = Promise.resolve(cloudRef("a", "b"));
    class Token {
      readonly inner = cloudRef("c", "d");
    }
    const token = new Token();
    const value = {
      arn: cloudRef("role", "arn"),
      list: [1, "two", cloudRef("lt", "id"), { nested: cloudRef("lt", "latestVersion") }],
      output,
      promise,
      token,
    };
    const seen: string[] = [];
    const replaced = replaceCloudRefs(value, (ref: CloudResourceRef) => {
      seen.push(`${ref.$ref}.${ref.attribute}`);
      return `<${ref.$ref}.${ref.attribute}>`;
    });
    expect(replaced).toEqual({
      arn: "<role.arn>",
      list: [1, "two", "<lt.id>", { nested: "<lt.latestVersion>" }],
      output,
      promise,
      token,
    });
    expect((replaced as { output: unknown }).output).toBe(output);
    expect((replaced as { token: unknown }).token).toBe(token);
    expect(seen).toEqual(["role.arn", "lt.id", "lt.latestVersion"]);
  });

  it.each([
    [
      "GpuNodePool",
      planGpuNodePool("gpu", {
        clusterName: "c",
        subnetIds: ["subnet-0123456789abcdef0"],
        instanceTypes: ["g5.xlarge"],
        nodes: { min: 0, max: 1 },
      }),
    ],
    [
      "MultiRegionFailover",
      planMultiRegionFailover("global", {
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        domainName: "infer.example.com",
        regions: [
          { region: "us-east-1", endpoint: { hostname: "a.example.com" } },
          { region: "eu-west-1", endpoint: { hostname: "b.example.com" } },
        ],
      }),
    ],
  ])("only name resources of the same plan (%s)", (_, plan) => {
    const names = new Set(plan.cloudResources.map((r) => r.logicalName));
    const targets: string[] = [];
    for (const resource of plan.cloudResources) {
      replaceCloudRefs(resource.properties, (ref) => targets.push(ref.$ref));
      for (const dependency of resource.dependsOn ?? []) targets.push(dependency);
    }
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !names.has(target))).toEqual([]);
  });

  it("say when the referring property wants a string, and the conversion turns the value into one", () => {
    const ref = cloudRef("lt", "latestVersion", { as: "string" });
    expect(ref).toEqual({ $ref: "lt", attribute: "latestVersion", as: "string" });
    expect(isCloudResourceRef(ref)).toBe(true);
    expect(convertCloudRefValue(ref, 3)).toBe("3");
    expect(cloudRef("role", "arn")).not.toHaveProperty("as");
    expect(convertCloudRefValue(cloudRef("lt", "latestVersion"), 3)).toBe(3);
  });

  it("ask for the launch template version as a string where the node group takes one", () => {
    const group = planGpuNodePool("gpu", {
      clusterName: "c",
      subnetIds: ["subnet-0123456789abcdef0"],
      instanceTypes: ["g5.xlarge"],
      nodes: { min: 0, max: 1 },
    }).cloudResources.find((r) => r.type === "aws:eks:NodeGroup")!;
    expect((group.properties.launchTemplate as { version: unknown }).version).toEqual({
      $ref: "gpu-launch-template",
      attribute: "latestVersion",
      as: "string",
    });
  });
});
