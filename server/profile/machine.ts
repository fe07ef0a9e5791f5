/** The machine and versions a profile records. */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism, cpus } from "node:os";
import type { CapacityProfile, ProfileMachine } from "../../src/capacity/profile";
import { VERSION } from "../../src/version";

/** CPUs in a `taskset -c` list such as `0-3,6`; `undefined` for a malformed list. */
export function countCpuList(list: string): number | undefined {
  let count = 0;
  for (const part of list.split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) return undefined;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high < low) return undefined;
    count += high - low + 1;
  }
  return count;
}

/** The first NVIDIA GPU's name from `nvidia-smi`, or `undefined` where there is none. */
export function gpuName(): string | undefined {
  try {
    const out = execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    });
    return out.split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** This machine: CPU model, the cores the replica may use (`cpus` list, else all), GPU with CUDA. */
export function describeMachine(options: {
  readonly cpus?: string;
  readonly executionProvider: "cpu" | "cuda";
  readonly instanceType?: string;
}): ProfileMachine {
  const all = cpus();
  const gpu = options.executionProvider === "cuda" ? gpuName() : undefined;
  return {
    cpuModel: all[0]?.model.trim() || "unknown",
    cores: (options.cpus !== undefined ? countCpuList(options.cpus) : undefined) ?? availableParallelism(),
    machineCores: all.length,
    ...(gpu ? { gpu } : {}),
    ...(options.instanceType ? { instanceType: options.instanceType } : {}),
  };
}

/** onnxfleet, onnxruntime-node and Node.js versions. */
export function versions(): CapacityProfile["versions"] {
  let onnxruntime = "unknown";
  try {
    onnxruntime = (createRequire(__filename)("onnxruntime-node/package.json") as { version: string }).version;
  } catch {
    // not resolvable from here: left "unknown"
  }
  return { onnxfleet: VERSION, onnxruntime, node: process.version };
}
