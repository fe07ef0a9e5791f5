import { once } from "node:events";
import net, { type AddressInfo } from "node:net";
import Fastify, { type FastifyRequest } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import {
  createServerMetrics,
  METRIC_NAMES,
  modelMetricsFor,
  outcomeOf,
  registerMetricsRoute,
  registerRequestMetrics,
  startMetricsServer,
  withComputeMetrics,
} from "../../../server/metrics";
import { ModelRepository } from "../../../server/repository/repository";
import { identityModel } from "../../../server/testing/onnx-builder";
import { writeRepository } from "../helpers";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("createServerMetrics", () => {
  it("exports every onnxfleet metric with Prometheus naming, and process metrics", async () => {
    const metrics = createServerMetrics();
    const text = await metrics.registry.metrics();
    for (const name of Object.values(METRIC_NAMES)) {
      expect(text).toContain(`# HELP ${name} `);
      expect(name).toMatch(/^onnxfleet_[a-z_]+$/);
    }
    expect(text).toContain("# TYPE onnxfleet_requests_total counter");
    expect(text).toContain("# TYPE onnxfleet_inflight_requests gauge");
    expect(text).toContain("# TYPE onnxfleet_request_duration_seconds histogram");
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("keeps separate servers' registries apart and can leave out process metrics", async () => {
    const one = createServerMetrics({ processMetrics: false });
    const two = createServerMetrics({ processMetrics: false });
    one.inflightRequests.series({}).inc();
    expect(sample(await one.registry.metrics(), "onnxfleet_inflight_requests")).toBe(1);
    expect(sample(await two.registry.metrics(), "onnxfleet_inflight_requests")).toBe(0);
    expect(await one.registry.metrics()).not.toContain("process_cpu_seconds_total");
  });
});

describe("the repository's default executor", () => {
  it("reports each inference's compute time under the version's labels", async () => {
    // GIVEN a repository whose versions get metrics hooks
    const metrics = createServerMetrics({ processMetrics: false });
    const root = writeRepository({ m: { versions: { 2: identityModel("FP32", ["batch", 2]) } } });
    const repository = new ModelRepository({
      root,
      metricsFor: (model, version) => modelMetricsFor(metrics, model, version),
    });
    cleanups.push(() => repository.close());
    await repository.load();

    // (every per-version series is exported at zero from the load on: alerts and rate() see it at once)
    const loaded = await metrics.registry.metrics();
    for (const series of [
      "compute_duration_seconds_count",
      "queue_duration_seconds_count",
      "batch_size_rows_count",
    ]) {
      expect(sample(loaded, `onnxfleet_${series}{model="m",version="2"}`)).toBe(0);
    }
    expect(sample(loaded, 'onnxfleet_queue_depth_requests{model="m",version="2"}')).toBe(0);

    // WHEN the default executor runs twice
    const executor = repository.find("m")!.executor!;
    const input = { name: "input", datatype: "FP32" as const, shape: [1, 2], data: new Float32Array([1, 2]) };
    await executor.infer([input], ["output"]);
    await executor.infer([input], ["output"]);

    // THEN two compute observations are recorded (warm-up is not counted)
    const text = await metrics.registry.metrics();
    expect(sample(text, 'onnxfleet_compute_duration_seconds_count{model="m",version="2"}')).toBe(2);
  });
});

describe("modelMetricsFor and withComputeMetrics", () => {
  it("records the batcher's reports and the executor's compute time under the model's labels", async () => {
    const metrics = createServerMetrics({ processMetrics: false });
    const hooks = modelMetricsFor(metrics, "resnet", "3");
    hooks.setQueueDepth(4);
    hooks.observeQueueSeconds(0.002);
    hooks.observeBatchRows(24);
    const executor = withComputeMetrics({ infer: async (rows: number) => rows * 2 }, hooks);
    expect(await executor.infer(21)).toBe(42);
    await expect(
      withComputeMetrics({ infer: async () => Promise.reject(new Error("boom")) }, hooks).infer(),
    ).rejects.toThrow("boom");

    let closed = 0;
    const closable = withComputeMetrics({ infer: async () => 1, close: async () => void closed++ }, hooks);
    await closable.close?.();
    expect(closed).toBe(1);
    expect(withComputeMetrics({ infer: async () => 1 }, hooks).close).toBeUndefined();

    const text = await metrics.registry.metrics();
    const labels = '{model="resnet",version="3"}';
    expect(sample(text, `onnxfleet_queue_depth_requests${labels}`)).toBe(4);
    expect(sample(text, `onnxfleet_queue_duration_seconds_count${labels}`)).toBe(1);
    expect(sample(text, `onnxfleet_batch_size_rows_sum${labels}`)).toBe(24);
    expect(sample(text, `onnxfleet_batch_size_rows_bucket{le="16",model="resnet",version="3"}`)).toBe(0);
    expect(sample(text, `onnxfleet_batch_size_rows_bucket{le="32",model="resnet",version="3"}`)).toBe(1);
    expect(sample(text, `onnxfleet_compute_duration_seconds_count${labels}`)).toBe(2);
  });
});

/** A stand-in app with V2 route shapes; only `m` version `1` is "loaded". */
async function buildApp() {
  const metrics = createServerMetrics({ processMetrics: false });
  const app = Fastify();
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const targetOf = (request: FastifyRequest) => {
    const { model } = request.params as { model?: string };
    return model === "m" ? { model: "m", version: "1" } : undefined;
  };
  registerRequestMetrics(app, metrics, { targetOf });
  registerMetricsRoute(app, metrics.registry);
  app.post("/v2/models/:model/infer", async (request, reply) => {
    const { model } = request.params as { model: string };
    if (model === "held") await released;
    if (model !== "m" && model !== "held") return reply.code(404).send({ error: "unknown model" });
    if ((request.body as { bad?: boolean }).bad) return reply.code(400).send({ error: "bad" });
    return { outputs: [] };
  });
  app.get("/v2/health/ready", async () => ({}));
  await app.ready();
  cleanups.push(() => app.close());
  return { app, metrics, release };
}

describe("registerRequestMetrics", () => {
  it("counts inference requests by resolved model and outcome, never by an invented model name", async () => {
    const { app } = await buildApp();
    await app.inject({ method: "POST", url: "/v2/models/m/infer", payload: {} });
    await app.inject({ method: "POST", url: "/v2/models/m/infer", payload: { bad: true } });
    await app.inject({ method: "POST", url: "/v2/models/attacker-chosen-name/infer", payload: {} });
    await app.inject({ url: "/v2/health/ready" });

    const text = (await app.inject({ url: "/metrics" })).body;
    expect(sample(text, 'onnxfleet_requests_total{model="m",version="1",outcome="success"}')).toBe(1);
    expect(sample(text, 'onnxfleet_requests_total{model="m",version="1",outcome="client_error"}')).toBe(1);
    expect(sample(text, 'onnxfleet_requests_total{model="",version="",outcome="client_error"}')).toBe(1);
    expect(text).not.toContain("attacker-chosen-name");
    expect(
      sample(text, 'onnxfleet_request_duration_seconds_count{model="m",version="1",outcome="success"}'),
    ).toBe(1);
  });

  it("shows a request in flight while it runs, and counts a client that left as aborted", async () => {
    // GIVEN a real listener and a request the handler holds
    const { app, release } = await buildApp();
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const socket = net.connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.write("POST /v2/models/held/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    socket.write("Content-Length: 2\r\n\r\n{}");
    const inflight = async () =>
      sample((await app.inject({ url: "/metrics" })).body, "onnxfleet_inflight_requests");
    while ((await inflight()) !== 1) await new Promise((resolve) => setTimeout(resolve, 5));

    // WHEN the client goes away while the handler still runs
    socket.destroy();

    // THEN the gauge drops back to 0 before the handler finishes, and the request counts as aborted
    while ((await inflight()) !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const text = (await app.inject({ url: "/metrics" })).body;
    expect(sample(text, 'onnxfleet_requests_total{model="",version="",outcome="aborted"}')).toBe(1);
  });
});

describe("outcomeOf", () => {
  it("classifies by status class, unfinished as aborted", () => {
    expect(outcomeOf(200, true)).toBe("success");
    expect(outcomeOf(413, true)).toBe("client_error");
    expect(outcomeOf(503, true)).toBe("server_error");
    expect(outcomeOf(200, false)).toBe("aborted");
  });
});

describe("startMetricsServer", () => {
  it("serves GET /metrics in the Prometheus text format on its own port and nothing else", async () => {
    const metrics = createServerMetrics({ processMetrics: false });
    metrics.inflightRequests.series({}).set(3);
    const server = await startMetricsServer({ registry: metrics.registry, port: 0, host: "127.0.0.1" });
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;

    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(await scrape.text(), "onnxfleet_inflight_requests")).toBe(3);

    const other = await fetch(`http://127.0.0.1:${port}/v2/models/m/infer`, { method: "POST" });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: expect.stringContaining("only GET /metrics") });
  });
});
