/**
 * `--execution-provider webgpu` (#15 item 1): onnxruntime-node 1.30 for linux/x64 bundles a WebGPU provider
 * (Dawn over Vulkan), a GPU path that needs no download. These tests run the real server binary with it:
 * - where a Vulkan driver is present it answers the same as the CPU provider. This machine (and CI) has no
 *   GPU: the driver is Mesa's lavapipe, a software Vulkan device (Debian bookworm-backports'
 *   mesa-vulkan-drivers 25; bookworm's own 22.3 lacks a feature Dawn requires, so Dawn finds no adapter).
 *   This proves the provider path works end to end, not that it is fast: lavapipe runs on the CPU.
 * - where the process sees no Vulkan driver, the server exits non-zero at start with a message that says
 *   what is missing (as `kubectl describe` would show it), instead of listening with a model that never loads.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlp } from "../../server/testing/onnx-builder";
import { freePort, type Replica, requireBuiltServer, SERVER_BIN, startReplica } from "../e2e/replica";
import { writeRepository } from "./helpers";

const ROWS = [
  [0.5, -1, 2, 0.25],
  [3, 0, -0.5, 1],
];
const BODY = JSON.stringify({
  inputs: [{ name: "input", datatype: "FP32", shape: [2, 4], data: ROWS.flat() }],
});

let root: string;
beforeAll(() => {
  requireBuiltServer();
  root = writeRepository({ small: { versions: { 1: mlp([4, 16, 3]) } } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function inferOn(provider: "cpu" | "webgpu"): Promise<number[]> {
  let replica: Replica | undefined;
  try {
    replica = await startReplica({
      repository: root,
      port: await freePort(),
      extraArgs: ["--execution-provider", provider, "--drain-delay-seconds", "0"],
    });
    const response = await fetch(`http://127.0.0.1:${replica.port}/v2/models/small/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: BODY,
    });
    const body = (await response.json()) as { outputs: { data: number[]; shape: number[] }[] };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.outputs[0]?.shape).toEqual([2, 3]);
    return body.outputs[0]?.data ?? [];
  } finally {
    replica?.process.kill("SIGTERM");
    await replica?.exited;
  }
}

describe("onnxfleet-server --execution-provider webgpu", () => {
  it("answers as the CPU provider does, through a Vulkan device (lavapipe here)", async () => {
    const onCpu = await inferOn("cpu");
    const onWebGpu = await inferOn("webgpu").catch((error: Error) => {
      throw new Error(
        `${error.message}\nThe WebGPU test needs a Vulkan driver Dawn accepts: on Debian bookworm, ` +
          "apt-get install -t bookworm-backports mesa-vulkan-drivers (see docs/development.md)",
      );
    });
    expect(onWebGpu).toHaveLength(6);
    for (const [i, value] of onWebGpu.entries()) expect(value).toBeCloseTo(onCpu[i] ?? Number.NaN, 4);
  }, 60_000);

  it("exits 1 at start, saying a Vulkan driver is missing, where the process sees none", () => {
    const run = spawnSync(
      process.execPath,
      [
        SERVER_BIN,
        "--model-repository",
        root,
        "--host",
        "127.0.0.1",
        "--http-port",
        "0",
        "--execution-provider",
        "webgpu",
      ],
      {
        encoding: "utf8",
        timeout: 45_000,
        // The Vulkan loader reads its drivers from these lists when they are set: a file that does not exist
        // leaves it with none, as in a container on a node whose driver is not mounted.
        env: {
          ...process.env,
          VK_ICD_FILENAMES: "/nonexistent/icd.json",
          VK_DRIVER_FILES: "/nonexistent/icd.json",
        },
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, `signal ${run.signal}; output: ${output}`).toBe(1);
    expect(output).toContain("--execution-provider webgpu");
    expect(output).toContain("Failed to get a WebGPU adapter");
    expect(output).toContain("libvulkan.so.1");
    expect(output).toContain("NVIDIA_DRIVER_CAPABILITIES must include graphics");
  }, 60_000);
});
