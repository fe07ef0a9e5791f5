/**
 * The core plans what the server runs: the server container's flags, the init container's fetch flags and
 * each version's config.json. This test hands the planned values to the server's own parsers, so a renamed
 * flag or config key on either side fails here instead of in a cluster.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_BATCHING_OPTIONS } from "../../server/batching/options";
import { loadConfig } from "../../server/config";
import { parseFetchArgs } from "../../server/fetch/cli";
import { parseModelConfig } from "../../server/repository/model-config";
import { planModelService } from "../../src/plan/model-service";
import type { NodePoolBinding } from "../../src/plan/types";
import type { ModelServiceProps } from "../../src/specs/model-service";

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

function plannedPod(
  { batching }: Pick<ModelServiceProps, "batching"> = {
    batching: { maxBatchSize: 16, maxQueueDelayMs: 1.5 },
  },
) {
  const plan = planModelService(
    "resnet",
    {
      model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA, version: 3 },
      resources: { gpu: 1, cpu: "2", memory: "8Gi" },
      ...(batching !== undefined ? { batching } : {}),
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

  /**
   * The batching a pod really runs: the server's flags (the planned args set none, so its defaults) with the
   * config.json's `batching` over them, merged as `server/batching/executor-factory.ts` does.
   */
  function effectiveBatching(batching: ModelServiceProps["batching"]) {
    const { pod, configMap } = plannedPod(batching === undefined ? {} : { batching });
    const flags = loadConfig(pod.containers.find((c) => c.name === "server")!.args, {});
    const config = parseModelConfig(JSON.parse(configMap.data["v3.config.json"]!), "config.json");
    const merged = {
      maxBatchSize: flags.maxBatchSize,
      maxQueueDelayMicroseconds: flags.maxQueueDelayMicroseconds,
      ...config.batching,
    };
    return { maxBatchSize: merged.maxBatchSize, maxQueueDelayMs: merged.maxQueueDelayMicroseconds / 1000 };
  }

  it("no batching prop: the pods batch as the core documents (64 rows, 10 ms hold-back), the server's own defaults", () => {
    const plan = planModelService("resnet", {
      model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA, version: 3 },
    });
    expect(effectiveBatching(undefined)).toEqual(plan.spec.batching);
    expect(plan.spec.batching).toEqual({ maxBatchSize: 64, maxQueueDelayMs: 10 });
    expect(DEFAULT_BATCHING_OPTIONS.maxBatchSize).toBe(64);
    expect(DEFAULT_BATCHING_OPTIONS.maxQueueDelayMicroseconds).toBe(10_000);
  });

  it("maxBatchSize alone keeps the server's hold-back instead of silently setting it to 0", () => {
    expect(effectiveBatching({ maxBatchSize: 32 })).toEqual({ maxBatchSize: 32, maxQueueDelayMs: 10 });
  });

  it("maxQueueDelayMs alone keeps the server's batch size; maxBatchSize 1 turns batching off", () => {
    expect(effectiveBatching({ maxQueueDelayMs: 2 })).toEqual({ maxBatchSize: 64, maxQueueDelayMs: 2 });
    expect(effectiveBatching({ maxBatchSize: 1 })).toMatchObject({ maxBatchSize: 1 });
  });
});
