/**
 * `onnxfleet render` reports every problem of a topology file at once (#15, `onnxfleet render`): across all
 * constructs, dependents of broken or dangling ones included (checked against stand-ins), each line with its
 * documented code (a dangling reference is ONNXFLEET_UNKNOWN_REFERENCE, a pool too small
 * ONNXFLEET_POOL_GPUS_EXCEEDED), exit code 1 and nothing on stdout.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ERROR_CODES } from "../../src/errors";
import { planTopology, type TopologyError, type TopologyFile } from "../../src/render";
import { runCli } from "./support/cli-run";

const pool = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
};
const model = { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: "a".repeat(64) };

/** Errors in five constructs of four kinds, each depending on a broken one, plus two dangling references. */
const broken: TopologyFile = {
  gpuNodePools: {
    gpu: { ...pool, nodes: { min: 4, max: 2 } }, // invalid pool
    small: { ...pool, nodes: { min: 1, max: 2 } }, // valid, but too small for "tight" below
  },
  modelServices: {
    // On the invalid pool, with its own mistake.
    resnet: { nodePool: "gpu", model: { ...model, sha256: "abc" }, resources: { gpu: 1 } },
    // On a pool that does not exist.
    orphan: { nodePool: "gpu-x", model, resources: { gpu: 1 } },
    tight: { nodePool: "small", model, resources: { gpu: 1 } },
  },
  autoscaledEndpoints: {
    // Scaling the invalid service, with its own mistake.
    resnet: { service: "resnet", replicas: { min: 5, max: 3 }, target: { inflightRequestsPerReplica: 8 } },
    // More pods than the valid pool holds.
    tight: { service: "tight", replicas: { min: 1, max: 3 }, target: { inflightRequestsPerReplica: 8 } },
  },
  multiRegionFailovers: {
    // One region's endpoint is invalid, the other's does not exist, and the failover has its own mistake.
    global: {
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      domainName: "infer.example.com",
      routing: "failover",
      maxFailoverSeconds: 5,
      regions: [
        { region: "us-east-1", endpoint: "resnet" },
        { region: "eu-west-1", endpoint: "nope" },
      ],
    },
  },
};

/** `onnxfleet render` of `topology` written as YAML. */
const render = (topology: TopologyFile) =>
  runCli(["render", "topology.yaml"], { "topology.yaml": stringify(topology) });

describe("onnxfleet render, a file with errors in many constructs and dangling references", () => {
  it("reports every one of them in one run, each line with its code, and exits 1 with nothing on stdout", async () => {
    const result = await render(broken);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^onnxfleet render: topology\.yaml: \d+ problems:$/);
    const problems = lines.slice(1);
    expect(problems.length).toBe(Number(/(\d+) problems/.exec(lines[0]!)?.[1]));
    for (const line of problems) expect(line).toMatch(/^ {2}\w+ "[\w-]+": .+ \[ONNXFLEET_[A-Z_]+\]$/);
    const expected: [string, string][] = [
      ['GpuNodePool "gpu": nodes.min (4) must not exceed nodes.max (2)', ERROR_CODES.INVALID_PROPS],
      ['ModelService "resnet": model.sha256 ("abc") must be a sha256 digest', ERROR_CODES.INVALID_PROPS],
      [
        'ModelService "orphan": nodePool ("gpu-x") names nothing in gpuNodePools',
        ERROR_CODES.UNKNOWN_REFERENCE,
      ],
      [
        'AutoscaledEndpoint "resnet": replicas.min (5) must not exceed replicas.max (3)',
        ERROR_CODES.INVALID_PROPS,
      ],
      ['AutoscaledEndpoint "tight": replicas.max (3) x 1 model version(s)', ERROR_CODES.POOL_GPUS_EXCEEDED],
      [
        'MultiRegionFailover "global": regions[].endpoint ("nope") names nothing in autoscaledEndpoints',
        ERROR_CODES.UNKNOWN_REFERENCE,
      ],
      ['MultiRegionFailover "global": maxFailoverSeconds (5)', ERROR_CODES.INVALID_PROPS],
    ];
    for (const [text, code] of expected)
      expect(
        problems.some((line) => line.startsWith(`  ${text}`) && line.endsWith(`[${code}]`)),
        `${text} [${code}]\n${result.stderr}`,
      ).toBe(true);
  });

  it("carries the same errors in planTopology's TopologyError, in file order", () => {
    let error: TopologyError | undefined;
    try {
      planTopology(broken);
    } catch (caught) {
      error = caught as TopologyError;
    }
    expect(error?.name).toBe("TopologyError");
    const constructs = error?.errors.map((e) => e.message.match(/(\w+ "[\w-]+")/)?.[1]);
    expect(constructs).toEqual([
      'GpuNodePool "gpu"',
      'ModelService "resnet"',
      'ModelService "orphan"',
      'AutoscaledEndpoint "resnet"',
      'AutoscaledEndpoint "tight"',
      'MultiRegionFailover "global"',
      'MultiRegionFailover "global"',
    ]);
  });

  it("renders once every problem is fixed (the stand-ins never reach the output)", async () => {
    const fixed: TopologyFile = {
      gpuNodePools: { gpu: { ...pool, nodes: { min: 1, max: 4 } } },
      modelServices: { resnet: { nodePool: "gpu", model, resources: { gpu: 1 } } },
      autoscaledEndpoints: {
        resnet: {
          service: "resnet",
          replicas: { min: 2, max: 4 },
          target: { inflightRequestsPerReplica: 8 },
        },
      },
    };
    const result = await render(fixed);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("stand-in");
    expect(result.stdout).toContain("kind: HorizontalPodAutoscaler");
  });
});
