// Static checks of server/Dockerfile's contract (the build itself: scripts/image/build-and-check.sh).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dockerfile = readFileSync(new URL("../../server/Dockerfile", import.meta.url), "utf8");
const dockerignore = readFileSync(new URL("../../.dockerignore", import.meta.url), "utf8");
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1) ?? "";

describe("server/Dockerfile", () => {
  it("runs as a numeric non-root UID of at least 10000 (runAsNonRoot can verify it)", () => {
    const user = /^USER (\d+):(\d+)$/m.exec(runtime);
    expect(user).not.toBeNull();
    expect(Number(user?.[1])).toBeGreaterThanOrEqual(10_000);
  });

  it("enters through onnxfleet-server and serves /models by default", () => {
    expect(runtime).toMatch(/^ENTRYPOINT \["onnxfleet-server"\]$/m);
    expect(runtime).toMatch(/^CMD \["--model-repository", "\/models"\]$/m);
  });

  it("builds on a Node 24 slim base, with production dependencies only in the runtime", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=docker\.io\/library\/node:24-bookworm-slim$/m);
    // The Dockerfile's own build-arg reference, as text (not a template placeholder).
    const deps = stages.find((stage) => stage.startsWith(`${"$"}{NODE_IMAGE} AS deps`)) ?? "";
    expect(deps).toMatch(/node \/tmp\/server-manifest\.mjs \/tmp > package\.json/);
    expect(deps).toMatch(/npm install --omit=dev --ignore-scripts/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
    expect(runtime).toMatch(/COPY --from=deps \/opt\/onnxfleet\/node_modules\//);
  });

  it("keeps build outputs, dependencies and secrets out of the build context", () => {
    const lines = dockerignore.split("\n").map((line) => line.trim());
    expect(lines[lines.findIndex((line) => !line.startsWith("#"))]).toBe("**");
    expect(lines).toContain("**/node_modules");
    expect(lines.filter((line) => line.startsWith("!"))).not.toContain("!dist/");
  });
});
