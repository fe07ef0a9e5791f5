/**
 * GPU memory of the profiled replica: `nvidia-smi --query-compute-apps=pid,used_memory
 * --format=csv,noheader,nounits` lists every process holding a CUDA context, one line per process and GPU,
 * its used framebuffer memory in MiB (https://docs.nvidia.com/deploy/nvidia-smi/index.html, "Compute
 * applications"). The replica's figure is the sum over its lines. Where nothing can be read the answer is
 * `null` with the reason, never a guess.
 */
import { execFileSync } from "node:child_process";

/** GPU memory of one process, or why there is none. */
export type GpuMemoryReading = { readonly bytes: number } | { readonly bytes: null; readonly reason: string };

/** The query `gpuMemoryOf` runs. */
export const NVIDIA_SMI_ARGS = ["--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"];

/**
 * The bytes `pid` uses on all GPUs according to the output of `nvidia-smi ${NVIDIA_SMI_ARGS}`; `null` with
 * the reason when `pid` is not listed or its figure is not available (`[N/A]`, `[Not Supported]`).
 */
export function parseComputeApps(output: string, pid: number): GpuMemoryReading {
  let mib = 0;
  let listed = false;
  for (const line of output.split("\n")) {
    const [pidText, usedText] = line.split(",").map((field) => field.trim());
    if (!pidText || Number(pidText) !== pid) continue;
    listed = true;
    const used = Number(usedText);
    if (usedText === undefined || usedText === "" || !Number.isFinite(used))
      return {
        bytes: null,
        reason: `nvidia-smi reports no used memory for pid ${pid} (${usedText ?? "empty"})`,
      };
    mib += used;
  }
  if (!listed) return { bytes: null, reason: `nvidia-smi lists no compute process with pid ${pid}` };
  return { bytes: mib * 2 ** 20 };
}

/** Runs nvidia-smi and reads `pid`'s GPU memory; `null` with the reason where nvidia-smi cannot run. */
export function gpuMemoryOf(pid: number, run = runNvidiaSmi): GpuMemoryReading {
  let output: string;
  try {
    output = run();
  } catch (error) {
    return { bytes: null, reason: `nvidia-smi did not run: ${(error as Error).message.split("\n")[0]}` };
  }
  return parseComputeApps(output, pid);
}

function runNvidiaSmi(): string {
  return execFileSync("nvidia-smi", NVIDIA_SMI_ARGS, { encoding: "utf8", timeout: 10_000 });
}
