// The JSON Schema of topology files (schema/topology.schema.json) is generated from the TopologyFile type by
// scripts/gen-schema.mjs: it must be up to date, accept every example topology and catch typical mistakes.
import { readdirSync, readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error: a plain ES module script without type declarations
import { generateTopologySchema } from "../../scripts/gen-schema.mjs";

const root = new URL("../../", import.meta.url);
const committed = readFileSync(new URL("schema/topology.schema.json", root), "utf8");
const schema = JSON.parse(committed);
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const examplesDir = new URL("examples/topology/", root);
const examples = readdirSync(examplesDir).filter((file) => /\.(ya?ml|json)$/.test(file));

function errorsOf(topology: unknown): string[] {
  return validate(topology) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("schema/topology.schema.json", () => {
  it("is what scripts/gen-schema.mjs generates from the current props (run it after changing props)", () => {
    expect(schema).toEqual(JSON.parse(generateTopologySchema()));
  });

  it("describes plain values only: no Pulumi Output or CDKTF token branches, no descriptive defaults", () => {
    expect(committed).not.toMatch(/Lazy|Unresolved|"default": "- /);
  });

  it.each(examples)("accepts examples/topology/%s, which every example file refers to", (file) => {
    const text = readFileSync(new URL(file, examplesDir), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schema/topology.schema.json");
    expect(errorsOf(parse(text))).toEqual([]);
  });

  it("refuses unknown keys, wrong enums and wrong types", () => {
    const errors = errorsOf({
      gpuNodePool: {},
      gpuNodePools: {
        gpu: {
          clusterName: "c",
          instanceTypes: "g5.xlarge",
          nodes: { min: 1, max: 2, maximum: 3 },
          capacityType: "spot",
          amiType: "AL2_x86_64_GPU",
        },
      },
      autoscaledEndpoints: {
        web: { replicas: { min: 1, max: 2 }, target: { inflightRequestsPerReplica: 4 } },
      },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        " must NOT have additional properties",
        "/gpuNodePools/gpu/instanceTypes must be array",
        "/gpuNodePools/gpu/nodes must NOT have additional properties",
        "/gpuNodePools/gpu/capacityType must be equal to one of the allowed values",
        "/gpuNodePools/gpu/amiType must be equal to one of the allowed values",
        "/autoscaledEndpoints/web must have required property 'service'",
      ]),
    );
  });
});
