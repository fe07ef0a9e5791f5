import { describe, expect, it } from "vitest";
import { gpuPoolCapacity } from "../../src/capacity/gpu-pool";
import {
  explainNonGpuInstanceType,
  findGpuInstanceType,
  GPU_INSTANCE_FAMILIES,
  GPU_INSTANCE_TYPES,
} from "../../src/catalog/gpu-instance-types";
import { onDemandPrice, onDemandUsdPerHour } from "../../src/catalog/gpu-prices";

describe("the GPU instance catalog", () => {
  it.each([
    ["g4dn.xlarge", { vcpus: 4, memoryGiB: 16, gpuModel: "T4", gpuCount: 1, gpuMemoryGiB: 16 }],
    ["g4dn.12xlarge", { vcpus: 48, memoryGiB: 192, gpuModel: "T4", gpuCount: 4, gpuMemoryGiB: 16 }],
    ["g5.xlarge", { vcpus: 4, memoryGiB: 16, gpuModel: "A10G", gpuCount: 1, gpuMemoryGiB: 24 }],
    ["g5.48xlarge", { vcpus: 192, memoryGiB: 768, gpuModel: "A10G", gpuCount: 8, gpuMemoryGiB: 24 }],
    ["g6.12xlarge", { vcpus: 48, memoryGiB: 192, gpuModel: "L4", gpuCount: 4, gpuMemoryGiB: 24 }],
    ["g6e.xlarge", { vcpus: 4, memoryGiB: 32, gpuModel: "L40S", gpuCount: 1, gpuMemoryGiB: 48 }],
    ["g6e.48xlarge", { vcpus: 192, memoryGiB: 1536, gpuModel: "L40S", gpuCount: 8, gpuMemoryGiB: 48 }],
    ["p3.2xlarge", { vcpus: 8, memoryGiB: 61, gpuModel: "V100", gpuCount: 1, gpuMemoryGiB: 16 }],
    ["p4d.24xlarge", { vcpus: 96, memoryGiB: 1152, gpuModel: "A100", gpuCount: 8, gpuMemoryGiB: 40 }],
    ["p5.48xlarge", { vcpus: 192, memoryGiB: 2048, gpuModel: "H100", gpuCount: 8, gpuMemoryGiB: 80 }],
  ])("records %s", (name, facts) => {
    expect(findGpuInstanceType(name)).toEqual({ name, family: name.split(".")[0], ...facts });
  });

  it("holds unique family.size names with at least one GPU each", () => {
    const names = GPU_INSTANCE_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const type of GPU_INSTANCE_TYPES) {
      expect(type.name).toBe(`${type.family}.${type.name.split(".")[1]}`);
      expect(type.gpuCount).toBeGreaterThanOrEqual(1);
      expect(type.vcpus).toBeGreaterThan(0);
    }
    expect(GPU_INSTANCE_FAMILIES).toEqual([
      "g4dn",
      "g5",
      "g6",
      "g6e",
      "p3",
      "p3dn",
      "p4d",
      "p4de",
      "p5",
      "p5e",
      "p5en",
    ]);
  });

  it("explains why an instance type is refused", () => {
    expect(explainNonGpuInstanceType("g5.xlarge")).toBeUndefined();
    expect(explainNonGpuInstanceType("m7i.large")).toMatch(/^has no NVIDIA GPUs/);
    expect(explainNonGpuInstanceType("trn1.2xlarge")).toMatch(/^has no NVIDIA GPUs/);
    expect(explainNonGpuInstanceType("g4ad.xlarge")).toMatch(/^has no NVIDIA GPUs/);
    expect(explainNonGpuInstanceType("p5.4xlarge")).toBe("is not a p5 size; allowed: p5.48xlarge");
    expect(explainNonGpuInstanceType("gpu")).toMatch(/^is not a GPU instance type known to onnxfleet/);
  });
});

describe("GPU pool capacity", () => {
  it("offers the least GPUs and GPU memory per node and bounds the pool by the largest", () => {
    expect(gpuPoolCapacity(["g4dn.12xlarge", "g6e.2xlarge"], 3)).toEqual({
      gpusPerNode: 1,
      gpuMemoryGiB: 16,
      maxGpusPerNode: 4,
      maxGpus: 12,
    });
  });

  it("refuses an uncatalogued instance type", () => {
    expect(() => gpuPoolCapacity(["m5.large"], 1)).toThrow("m5.large is not in the GPU instance catalog");
  });
});

describe("on-demand list prices per region", () => {
  it("prices a type in its region with the date and source, us-east-1 by default", () => {
    expect(onDemandUsdPerHour("g5.xlarge")).toBe(1.006);
    expect(onDemandPrice("g5.xlarge", "us-east-1")).toEqual({
      usdPerHour: 1.006,
      asOf: "2026-06",
      source: "https://aws.amazon.com/ec2/pricing/on-demand/",
    });
    expect(onDemandUsdPerHour("g5.xlarge", "eu-central-1")).toBe(1.258);
    expect(onDemandPrice("g4dn.xlarge", "eu-west-1")?.asOf).toBe("2026-12-02");
  });

  it("has no price for a type or region it was not given, and never takes another region's", () => {
    expect(onDemandPrice("g6.xlarge", "eu-west-1")).toBeUndefined();
    expect(onDemandPrice("g5.xlarge", "sa-east-1")).toBeUndefined();
    expect(onDemandPrice("constructor", "us-east-1")).toBeUndefined();
    expect(onDemandPrice("g5.xlarge", "toString")).toBeUndefined();
  });
});
