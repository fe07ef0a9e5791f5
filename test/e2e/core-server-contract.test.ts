/**
 * The core plans what the server runs: the server container's flags, the init container's fetch flags and
 * each version's config.json. This test hands the planned values to the server's own parsers, so a renamed
 * flag or config key on either side fails here instead of in a cluster.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { parseFetchArgs } from "../../server/fetch/cli";
import { parseModelConfig } from "../../server/repository/model-config";
import { planModelService } from "../../src/plan/model-service";
import type { NodePoolBinding } from "../../src/plan/types";

const SHA = "9f2c".padEnd(64, "0");
const gpuPool: NodePoolBinding = {
  poolName: "gpu",
  nodeSelector: { "onnxfleet.dev/node-pool": "gpu" },
  tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
  gpuResourceName: "nvidia.com/gpu",
  gpusPerNode: 1,
  gpuMemoryGiB: 24,
};

interface Container {
  name: string;
  args: string[];
}

function plannedPod() {
  const plan = planModelService(
    "resnet",
    {
      model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA, version: 3 },
      resources: { gpu: 1, cpu: "2", memory: "8Gi" },
      batching: { maxBatchSize: 16, maxQueueDelayMs: 1.5 },
    },
    gpuPool,
  );
  const deployment = plan.kubernetesObjects.find((o) => o.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: Container[]; initContainers: Container[] } } };
  };
  const configMap = plan.kubernetesObjects.find((o) => o.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  return { pod: deployment.spec.template.spec, configMap };
}

describe("the core's ModelService plan and the server agree", () => {
  it("the server accepts the planned flags: repository, ports, CUDA on GPUs, drain timings", () => {
    const { pod } = plannedPod();
    const server = pod.containers.find((c) => c.name === "server")!;
    const config = loadConfig(server.args, {});
    expect(config.modelRepository).toBe("/models");
    expect(config.httpPort).toBe(8000);
    expect(config.metricsPort).toBe(8002);
    expect(config.executionProvider).toBe("cuda");
    expect(config.drainDelaySeconds).toBe(5);
    expect(config.shutdownTimeoutSeconds).toBe(25);
  });

  it("the fetch subcommand accepts the init container's flags and downloads into the repository layout", async () => {
    const { pod } = plannedPod();
    const [subcommand, ...flags] = pod.initContainers[0]!.args;
    expect(subcommand).toBe("fetch");
    const parsed = await parseFetchArgs(flags, {});
    if (parsed === "help") throw new Error("the planned fetch flags asked for help");
    expect(parsed.requests).toHaveLength(1);
    expect(parsed.requests[0]).toMatchObject({
      uri: "s3://models/resnet50/3/model.onnx",
      sha256: SHA,
      dest: "/models/resnet50/3/model.onnx",
    });
  });

  it("the server parses the planned config.json: that version only, its sha256 pin, the batching", () => {
    const { configMap } = plannedPod();
    const config = parseModelConfig(JSON.parse(configMap.data["v3.config.json"]!), "config.json");
    expect(config.versionPolicy).toEqual({ specific: [3] });
    expect(config).toMatchObject({
      sha256: SHA,
      batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: 1500 },
    });
  });
});
