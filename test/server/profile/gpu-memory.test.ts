// GPU memory in the profile. The parser is checked on nvidia-smi output written in the documented format of
// `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits`
// (https://docs.nvidia.com/deploy/nvidia-smi/index.html): these samples were NOT captured on a GPU machine
// (none was available to this change); the CUDA path of the profiler has not run on a GPU.
import { describe, expect, it } from "vitest";
import { gpuMemoryOf, NVIDIA_SMI_ARGS, parseComputeApps } from "../../../server/profile/gpu-memory";

// Two processes on GPU 0, the replica (4242) also on GPU 1.
const SAMPLE = ["1187, 312", "4242, 1536", "4242, 512", ""].join("\n");

describe("GPU memory of the replica from nvidia-smi", () => {
  it("queries pid and used_memory as CSV without header or units", () => {
    expect(NVIDIA_SMI_ARGS).toEqual([
      "--query-compute-apps=pid,used_memory",
      "--format=csv,noheader,nounits",
    ]);
  });

  it("sums the replica's lines over GPUs, MiB to bytes", () => {
    expect(parseComputeApps(SAMPLE, 4242)).toEqual({ bytes: (1536 + 512) * 2 ** 20 });
    expect(parseComputeApps(SAMPLE, 1187)).toEqual({ bytes: 312 * 2 ** 20 });
  });

  it("is null with the reason when the pid holds no CUDA context, or its figure is not available", () => {
    expect(parseComputeApps(SAMPLE, 99)).toEqual({
      bytes: null,
      reason: "nvidia-smi lists no compute process with pid 99",
    });
    expect(parseComputeApps("4242, [N/A]\n", 4242)).toEqual({
      bytes: null,
      reason: "nvidia-smi reports no used memory for pid 4242 ([N/A])",
    });
    expect(parseComputeApps("", 4242).bytes).toBeNull();
  });

  it("is null with the reason when nvidia-smi does not run (no GPU, no driver)", () => {
    const missing = () => {
      throw new Error("spawnSync nvidia-smi ENOENT");
    };
    expect(gpuMemoryOf(4242, missing)).toEqual({
      bytes: null,
      reason: "nvidia-smi did not run: spawnSync nvidia-smi ENOENT",
    });
    expect(gpuMemoryOf(4242, () => SAMPLE)).toEqual({ bytes: 2048 * 2 ** 20 });
  });
});
