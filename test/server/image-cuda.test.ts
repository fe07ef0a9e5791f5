/**
 * The CUDA flavour of the image (#15 item 1): server/Dockerfile.cuda and the release workflow that pushes
 * both flavours. No engine here can pull NVIDIA's base or reach the CUDA provider's download host, so the
 * Dockerfile's contract is read statically, and its build-failing check (the RUN step that looks for
 * libonnxruntime_providers_cuda.so) is run for real in a shell against a directory laid out like the image.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { onnxruntimeBinaryDirectory } from "../../server/runtime/cuda-provider";
import { tempDir } from "./fetch-helpers";

/** A GitHub Actions expression, `${{ ... }}`, as text. */
const gha = (expression: string) => `${"$"}{{ ${expression} }}`;
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const dockerfile = read("server/Dockerfile.cuda");
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1) ?? "";
/** The Dockerfile's instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"));

describe("server/Dockerfile.cuda", () => {
  it("runs on NVIDIA's CUDA 12 + cuDNN 9 runtime base", () => {
    expect(dockerfile).toMatch(
      /^ARG CUDA_IMAGE=docker\.io\/nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu2[24]\.04$/m,
    );
    expect(runtime.startsWith(`${"$"}{CUDA_IMAGE}\n`)).toBe(true);
    expect(runtime).toMatch(/^COPY --from=node \/usr\/local\/bin\/node \/usr\/local\/bin\/node$/m);
  });

  it("installs onnxruntime-node's CUDA 12 provider with its own install flag", () => {
    const install = instructions.find((line) => line.includes("script/install.js")) ?? "";
    expect(install).toMatch(
      /cd node_modules\/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install\.js/,
    );
    // The flag value is one onnxruntime-node's install metadata knows for linux/x64.
    const metadata = join(onnxruntimeBinaryDirectory(), "../../../../script/install-metadata.js");
    expect(readFileSync(metadata, "utf8")).toContain("'linux/x64': ['cuda12']");
  });

  it("has the CPU image's user and entrypoint, with cuda as the default provider", () => {
    expect(runtime).toMatch(/^USER 10001:10001$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["onnxfleet-server"\]$/m);
    expect(runtime).toMatch(/^CMD \["--model-repository", "\/models", "--execution-provider", "cuda"\]$/m);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  describe("the RUN step that fails the build without libonnxruntime_providers_cuda.so, run in a shell", () => {
    const step = instructions.find((line) => line.includes("libonnxruntime_providers_cuda.so is missing"));
    const script = (root: string) => (step ?? "").replace(/^RUN /, "").replaceAll("/opt/onnxfleet", root);
    const layout = (root: string) => {
      const dir = join(root, "node_modules/onnxruntime-node/bin/napi-v6/linux/x64");
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    // cwd: this checkout, so the step's `require("onnxruntime-node")` resolves as it would in the image.
    const run = (root: string) =>
      spawnSync("sh", ["-c", script(root)], { encoding: "utf8", cwd: process.cwd() });

    it("fails, naming the library and the directory, when the provider was not installed", () => {
      expect(step).toBeDefined();
      const { dir: root, remove } = tempDir("cuda-image");
      try {
        const dir = layout(root);
        const result = run(root);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`libonnxruntime_providers_cuda.so is missing from ${dir}`);
      } finally {
        remove();
      }
    });

    it("fails when the shared provider bridge is absent, passes when both are real, linkable libraries", () => {
      const { dir: root, remove } = tempDir("cuda-image");
      try {
        const dir = layout(root);
        // A real shared object that links here stands in for the provider (the real one needs CUDA).
        copyFileSync(
          join(onnxruntimeBinaryDirectory(), "libonnxruntime.so.1"),
          join(dir, "libonnxruntime_providers_cuda.so"),
        );
        expect(run(root).status).not.toBe(0);
        writeFileSync(join(dir, "libonnxruntime_providers_shared.so"), "x");
        const result = run(root);
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/^v\d+\./m);
      } finally {
        remove();
      }
    });
  });
});

describe(".github/workflows/release-image.yml", () => {
  const workflow = parse(read(".github/workflows/release-image.yml"));
  const job = workflow.jobs.image;
  const steps: {
    id?: string;
    uses?: string;
    with?: Record<string, string>;
    env?: Record<string, string>;
    run?: string;
  }[] = job.steps;

  it("runs on a pushed tag", () => {
    expect(workflow.on.push.tags).toEqual(["v*"]);
  });

  it("builds and pushes both flavours: server/Dockerfile as the tag, server/Dockerfile.cuda as <tag>-cuda12", () => {
    const flavours = job.strategy.matrix.include.map((m: Record<string, string>) => [
      m.flavour,
      m.dockerfile,
      m["tag-suffix"],
    ]);
    expect(flavours).toEqual([
      ["cpu", "server/Dockerfile", ""],
      ["cuda", "server/Dockerfile.cuda", "-cuda12"],
    ]);
    const build = steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(build?.id).toBe("build");
    expect(build?.with?.file).toBe(gha("matrix.dockerfile"));
    expect(build?.with?.push).toBe(true);
    expect(build?.with?.tags).toBe(
      `ghcr.io/onnxfleet/onnxfleet-server:${gha("steps.version.outputs.version")}${gha("matrix.tag-suffix")}`,
    );
  });

  it("writes each pushed digest to the job summary, next to the constant it belongs in", () => {
    const record = steps.find((s) => s.env?.DIGEST !== undefined);
    expect(record?.env?.DIGEST).toBe(gha("steps.build.outputs.digest"));
    expect(record?.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const constants = job.strategy.matrix.include.map((m: Record<string, string>) => m["digest-constant"]);
    expect(constants).toEqual(["SERVER_IMAGE_DIGEST", "SERVER_IMAGE_CUDA_DIGEST"]);
    const source = read("src/server-image.ts");
    for (const constant of constants)
      expect(source).toMatch(new RegExp(`export const ${constant} =\\s+"sha256:`));
  });
});
