/**
 * Every metric the planned alerts and dashboard query exists: the server's names against a live server's
 * `/metrics` (the real server on loopback, serving a small model with the ModelService's own config.json,
 * after real inference requests), and every other name against the documented list of kube-state-metrics and
 * DCGM exporter metrics (`src/plan/cluster-metrics.ts`).
 */
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { mlp } from "../../server/testing/onnx-builder";
import { CLUSTER_METRIC_NAMES } from "../../src/plan/cluster-metrics";
import { planModelService } from "../../src/plan/model-service";
import { REQUEST_OUTCOMES, SERVER_METRICS } from "../../src/plan/server-contract";
import { gpuBinding } from "../core/support/fixtures";
import { planExpressions } from "../core/support/observability";
import { metricNamesIn } from "../core/support/promql";
import { writeRepository } from "../server/helpers";

const model = mlp([3, 5, 2]);
const sha256 = createHash("sha256").update(model).digest("hex");
const plan = planModelService(
  "mlp-svc",
  {
    namespace: "ml",
    model: { name: "mlp", uri: "file:///models/mlp.onnx", sha256 },
    resources: { gpu: 1 },
    batching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
    monitoring: { serviceMonitor: true },
  },
  gpuBinding,
);
const configMap = plan.kubernetesObjects.find((o) => o.kind === "ConfigMap") as unknown as {
  data: Record<string, string>;
};
const configJson = configMap.data["v1.config.json"]!;

/** Sample names of a Prometheus text exposition (histograms appear as their _bucket, _sum, _count). */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    names.add(line.slice(0, line.search(/[{ ]/)));
  }
  return names;
}

describe("alert and dashboard metric names against a live onnxfleet-server", () => {
  let server: RunningServer;
  let root: string;
  let exposition: string;
  beforeAll(async () => {
    root = writeRepository({ mlp: { versions: { 1: model }, config: JSON.parse(configJson) } });
    server = await start(
      [
        "--model-repository",
        root,
        "--http-port",
        "0",
        "--metrics-port",
        "0",
        "--host",
        "127.0.0.1",
        "--log-level",
        "silent",
      ],
      {},
    );
    const infer = (rows: number) =>
      fetch(`${server.url}/v2/models/mlp/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [
            { name: "input", datatype: "FP32", shape: [rows, 3], data: new Array(rows * 3).fill(0.5) },
          ],
        }),
      });
    // Concurrent requests, so the batcher forms batches; then one the server refuses (a client error).
    const answers = await Promise.all([1, 2, 1, 3, 1, 2].map(infer));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await infer(9)).status).toBe(400);
    expect(server.metricsUrl).toBeDefined();
    exposition = await (await fetch(`${server.metricsUrl}/metrics`)).text();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("the server exports every metric of the contract, histograms with their series", () => {
    const live = exposedNames(exposition);
    for (const name of [
      SERVER_METRICS.requestsTotal,
      SERVER_METRICS.inflightRequests,
      SERVER_METRICS.queueDepth,
    ])
      expect(live).toContain(name);
    for (const histogram of [
      SERVER_METRICS.requestDuration,
      SERVER_METRICS.queueDuration,
      SERVER_METRICS.computeDuration,
      SERVER_METRICS.batchSize,
      SERVER_METRICS.modelLoadDuration,
    ])
      for (const suffix of ["_bucket", "_sum", "_count"]) expect(live).toContain(`${histogram}${suffix}`);
  });

  it("every name in the planned alerts and dashboard is live on the server or a documented cluster metric", () => {
    const live = exposedNames(exposition);
    const used = new Set(planExpressions(plan.kubernetesObjects).flatMap(metricNamesIn));
    const fromServer = [...used].filter((name) => name.startsWith("onnxfleet_"));
    expect(fromServer.length).toBeGreaterThanOrEqual(8);
    for (const name of used) {
      if (name.startsWith("onnxfleet_")) expect(live, `${name} is not on the live /metrics`).toContain(name);
      else expect(CLUSTER_METRIC_NAMES, `${name} is neither the server's nor documented`).toContain(name);
    }
  });

  it("the label values the alerts match on are the ones the server writes", () => {
    const outcomes = new Set([...exposition.matchAll(/outcome="([a-z_]+)"/g)].map((m) => m[1]));
    expect(outcomes).toEqual(new Set(["success", "client_error"]));
    for (const outcome of outcomes) expect(REQUEST_OUTCOMES).toContain(outcome);
    for (const expr of planExpressions(plan.kubernetesObjects))
      for (const [, outcome] of expr.matchAll(/outcome="([a-z_]+)"/g))
        expect(REQUEST_OUTCOMES).toContain(outcome);
    // The default latency target (1 s) is a bucket bound the server writes.
    expect(exposition).toMatch(/onnxfleet_request_duration_seconds_bucket\{[^}]*le="1"[^}]*\}/);
    expect(exposition).toMatch(/onnxfleet_queue_depth_requests\{model="mlp",version="1"\}/);
  });
});
