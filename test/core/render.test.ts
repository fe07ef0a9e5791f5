import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ERROR_CODES, OnnxfleetError, ValidationError } from "../../src/errors";
import {
  parseTopology,
  planTopology,
  renderTopology,
  type TopologyError,
  type TopologyFile,
} from "../../src/render";

const examples = new URL("../../examples/topology/", import.meta.url);
const gpuPoolsYaml = readFileSync(new URL("gpu-pools.yaml", examples), "utf8");

function thrown(run: () => unknown): OnnxfleetError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OnnxfleetError);
    return error as OnnxfleetError;
  }
  throw new Error("expected an OnnxfleetError");
}

const pool = {
  clusterName: "prod",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 2 },
};

describe("renderTopology", () => {
  it("prints every planned Kubernetes object of the file as one YAML document each", () => {
    const topology = parseTopology(gpuPoolsYaml, "gpu-pools.yaml");
    const yaml = renderTopology(topology);
    const documents = parseAllDocuments(yaml);
    expect(Array.isArray(documents)).toBe(true);
    const objects = (documents as { toJS(): unknown }[]).map((d) => d.toJS());
    expect(objects).toEqual(JSON.parse(JSON.stringify(planTopology(topology).kubernetesObjects)));
    expect(
      objects.map(
        (o) => `${(o as { kind: string }).kind}/${(o as { metadata: { name: string } }).metadata.name}`,
      ),
    ).toEqual([
      "DaemonSet/nvidia-device-plugin-gpu-a10g",
      "NodePool/gpu-l4-spot",
      "EC2NodeClass/gpu-l4-spot",
      "DaemonSet/nvidia-device-plugin-gpu-l4-spot",
    ]);
  });

  it("plans a whole topology: pool, then the service bound to it by name, then the endpoint scaling it", () => {
    const topology = parseTopology(readFileSync(new URL("resnet.yaml", examples), "utf8"), "resnet.yaml");
    const plan = planTopology(topology);
    expect(Object.keys(plan.gpuNodePools)).toEqual(["gpu"]);
    expect(Object.keys(plan.modelServices)).toEqual(["resnet"]);
    expect(Object.keys(plan.autoscaledEndpoints)).toEqual(["resnet"]);
    const kinds = plan.kubernetesObjects.map((o) => o.kind);
    expect(kinds[0]).toBe("DaemonSet");
    expect(kinds.indexOf("Deployment")).toBeGreaterThan(0);
    expect(kinds.indexOf("HorizontalPodAutoscaler")).toBeGreaterThan(kinds.indexOf("Deployment"));
    const deployment = plan.kubernetesObjects.find((o) => o.kind === "Deployment")!;
    const pod = (deployment.spec as { template: { spec: { nodeSelector: unknown; tolerations: unknown } } })
      .template.spec;
    const { binding } = plan.gpuNodePools.gpu!;
    expect(pod.nodeSelector).toEqual(binding.nodeSelector);
    expect(pod.tolerations).toEqual(expect.arrayContaining([...binding.tolerations]));
    expect(parseAllDocuments(renderTopology(topology))).toHaveLength(plan.kubernetesObjects.length);
  });

  it("writes plain YAML: no anchors or aliases for repeated values, no folded lines", () => {
    const yaml = renderTopology({
      gpuNodePools: { gpu: { ...pool, devicePluginImage: `registry.example.com/${"x".repeat(120)}:v1` } },
    });
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(yaml).toContain(`image: registry.example.com/${"x".repeat(120)}:v1\n`);
    // After the header listing what the file cannot create (the managed node group and its IAM role).
    const body = yaml.replace(/^(#.*\n)+/, "");
    expect(body.startsWith("apiVersion: apps/v1\nkind: DaemonSet\n")).toBe(true);
  });

  it("renders nothing for an empty topology", () => {
    expect(renderTopology({})).toBe("");
  });
});

describe("planTopology errors", () => {
  it("reports a dangling node pool reference with the names that exist", () => {
    const error = thrown(() =>
      planTopology({
        gpuNodePools: { gpu: pool },
        modelServices: {
          resnet: {
            nodePool: "gpu2",
            model: { name: "resnet", uri: "s3://models/m.onnx", sha256: "a".repeat(64) },
            resources: { gpu: 1 },
          },
        },
      }),
    );
    expect(error.code).toBe(ERROR_CODES.UNKNOWN_REFERENCE);
    expect(error.message).toBe(
      'ModelService "resnet": nodePool ("gpu2") names nothing in gpuNodePools; defined: "gpu"',
    );
  });

  it("reports a dangling service reference, and a reference to an inherited property name", () => {
    const error = thrown(() =>
      planTopology({
        autoscaledEndpoints: {
          web: {
            service: "toString",
            replicas: { min: 1, max: 2 },
            target: { inflightRequestsPerReplica: 4 },
          },
        },
      }),
    );
    expect(error.code).toBe(ERROR_CODES.UNKNOWN_REFERENCE);
    expect(error.message).toBe(
      'AutoscaledEndpoint "web": service ("toString") names nothing in modelServices; modelServices is empty',
    );
  });

  it("reports every invalid construct at once, each with its own code", () => {
    const error = thrown(() =>
      planTopology({
        gpuNodePools: {
          a: { ...pool, nodes: { min: 3, max: 2 } },
          b: { ...pool, instanceTypes: ["t3.large"] },
        },
        modelServices: {
          svc: { nodePool: "c", model: { name: "m", uri: "s3://b/m.onnx", sha256: "a".repeat(64) } },
        },
      }),
    ) as TopologyError;
    expect(error.name).toBe("TopologyError");
    expect(error.errors.map((e) => [e.constructor.name, e.code])).toEqual([
      ["ValidationError", ERROR_CODES.INVALID_PROPS],
      ["ValidationError", ERROR_CODES.INVALID_PROPS],
      ["OnnxfleetError", ERROR_CODES.UNKNOWN_REFERENCE],
      // The service on the dangling pool is still checked, against a stand-in of the pool.
      ["ValidationError", ERROR_CODES.INVALID_PROPS],
    ]);
    expect(error.code).toBe(ERROR_CODES.INVALID_PROPS);
    expect(error.message.split("\n")).toEqual([
      'GpuNodePool "a": nodes.min (3) must not exceed nodes.max (2)',
      'GpuNodePool "b": instanceTypes[0] ("t3.large") has no NVIDIA GPUs; choose a GPU instance type (catalogued GPU families: g4dn, g5, g6, g6e, p3, p3dn, p4d, p4de, p5, p5e, p5en)',
      'ModelService "svc": nodePool ("c") names nothing in gpuNodePools; defined: "a", "b"',
      "2 problems:",
      '  ModelService "svc": model.uri ("s3://b/m.onnx") has an invalid bucket name "b" (3 to 63 lowercase letters, digits, "." and "-")',
      '  ModelService "svc": resources.gpu (0) would run CPU inference on the GPU nodes of node pool "c"; set gpu to 1 (up to 8) to use them, or drop nodePool to run on CPU nodes',
    ]);
  });

  it("passes a single construct's ValidationError through unchanged", () => {
    const error = thrown(() => planTopology({ gpuNodePools: { gpu: { ...pool, diskSizeGiB: 1 } } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('GpuNodePool "gpu": diskSizeGiB (1) must be an integer from 20 to 16384');
  });

  it("refuses unknown top-level keys with a hint, and sections that are not mappings", () => {
    const error = thrown(() =>
      planTopology({
        gpuNodePool: {},
        modelServices: [],
        autoscaledEndpoints: { x: 3 },
      } as unknown as TopologyFile),
    );
    expect(error.code).toBe(ERROR_CODES.INVALID_TOPOLOGY_FILE);
    expect(error.message).toBe(
      'topology unknown key "gpuNodePool" (did you mean "gpuNodePools"?); allowed: gpuNodePools, modelServices, autoscaledEndpoints, multiRegionFailovers; ' +
        "modelServices ([]) must be a mapping of names to props; autoscaledEndpoints.x (3) must be a mapping of props",
    );
  });
});

describe("parseTopology", () => {
  it("reads JSON too", () => {
    const topology = parseTopology(
      JSON.stringify({ $schema: "x.json", gpuNodePools: { gpu: pool } }),
      "t.json",
    );
    expect(topology.gpuNodePools?.gpu?.instanceTypes).toEqual(["g5.xlarge"]);
  });

  it.each([
    [
      "a YAML syntax error, with its line",
      "gpuNodePools:\n  gpu: {clusterName: [\n",
      /^bad\.yaml is not valid YAML or JSON: .*line 3/s,
    ],
    [
      "several documents",
      "gpuNodePools: {}\n---\nmodelServices: {}\n",
      /^bad\.yaml holds 2 YAML documents; a topology file holds exactly one$/,
    ],
    ["an empty file", "# nothing\n", /^bad\.yaml is empty; expected a mapping with keys gpuNodePools, /],
    [
      "a list",
      "- gpu\n",
      /^bad\.yaml must be a mapping with keys gpuNodePools, modelServices, autoscaledEndpoints, multiRegionFailovers; got \["gpu"\]$/,
    ],
    [
      "duplicate keys",
      "gpuNodePools: {}\ngpuNodePools: {}\n",
      /^bad\.yaml is not valid YAML or JSON: Map keys must be unique/,
    ],
  ])("refuses %s", (_, text, message) => {
    const error = thrown(() => parseTopology(text, "bad.yaml"));
    expect(error.code).toBe(ERROR_CODES.INVALID_TOPOLOGY_FILE);
    expect(error.message).toMatch(message);
  });
});
