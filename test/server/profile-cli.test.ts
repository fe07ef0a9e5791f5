// `onnxfleet profile` as users run it: the real binary over the built dist, a real onnxfleet-server child
// process per batching setting, fixed arrival rates (open loop); profile.json validates, each setting's knee
// is recorded, and the plot holds every point.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlp } from "../../server/testing/onnx-builder";
import { profileProblems } from "../../src/capacity/profile";

const root = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "onnxfleet-profile-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profile(args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/onnxfleet.cjs"), "profile", ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("onnxfleet profile", () => {
  it("measures each batching setting at fixed arrival rates and writes profile.json, the plot and a recommendation", {
    timeout: 120_000,
  }, () => {
    const repository = join(dir, "models");
    mkdirSync(join(repository, "mlp", "1"), { recursive: true });
    writeFileSync(join(repository, "mlp", "1", "model.onnx"), mlp([4, 16, 3]));
    const out = join(dir, "mlp.json");
    const result = profile([
      "--model-repository",
      repository,
      "--model",
      "mlp",
      "--batch-sizes",
      "1,4",
      "--queue-delays-ms",
      "1",
      "--rates",
      "20,40",
      "--duration-seconds",
      "0.3",
      "--warmup-seconds",
      "0.1",
      "--p99-ms",
      "10000",
      "--out",
      out,
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const written = JSON.parse(readFileSync(out, "utf8"));
    expect(profileProblems(written)).toEqual([]);
    expect(
      written.points.map((p: { maxBatchSize: number; maxQueueDelayMs: number; arrivalRate: number }) => [
        p.maxBatchSize,
        p.maxQueueDelayMs,
        p.arrivalRate,
      ]),
    ).toEqual([
      [1, 0, 20],
      [1, 0, 40],
      [4, 1, 20],
      [4, 1, 40],
    ]);
    for (const point of written.points) {
      // 0.3 s at 20 and 40 req/s: 6 and 12 requests, every one answered.
      expect(point.requests).toBe(Math.round(point.arrivalRate * 0.3));
      expect(point.errors).toBe(0);
      expect(point.requestsPerSecond).toBe(point.arrivalRate);
      expect(point.latencyMs.p99).toBeLessThan(10000);
      expect(point.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(point.peakGpuMemoryBytes).toBeNull();
    }
    expect(written.gpuMemoryUnavailable).toBe("CPU execution provider: no GPU");
    expect(written.knees).toEqual([
      expect.objectContaining({ maxBatchSize: 1, p99BudgetMs: 10000, requestsPerSecond: 40 }),
      expect.objectContaining({
        maxBatchSize: 4,
        maxQueueDelayMs: 1,
        p99BudgetMs: 10000,
        requestsPerSecond: 40,
      }),
    ]);
    expect(result.stdout).toContain("Knee, no batching: 40 req/s within p99 <= 10000 ms");
    expect(written.model).toMatchObject({ name: "mlp", rowsPerRequest: 1 });
    const svg = readFileSync(join(dir, "mlp.svg"), "utf8");
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(result.stdout).toMatch(/Within p99 <= 10000 ms: maxBatchSize \d, maxQueueDelayMs \d/);
  });

  it("refuses a model and a repository together, exit 2 with usage", () => {
    const result = profile(["model.onnx", "--model-repository", dir, "--model", "mlp"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("give MODEL.onnx, or --model-repository DIR with --model NAME");
  });
});
