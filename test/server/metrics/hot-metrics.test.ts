import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { HotCounter, HotGauge, HotHistogram } from "../../../server/metrics/hot-metrics";

const BUCKETS = [0.001, 0.01, 0.1, 1];
/** Values on, between, below and above the bounds, and label values the exposition must escape. */
const OBSERVATIONS: [Record<"model" | "version", string>, number][] = [
  [{ model: "a", version: "1" }, 0.001],
  [{ model: "a", version: "1" }, 0.0005],
  [{ model: "b", version: "2" }, 0.05],
  [{ model: "a", version: "1" }, 7],
  [{ model: 'q"uo\\te\nd', version: "1" }, 1],
  [{ model: "b", version: "2" }, 0],
];

/** The same metrics twice: prom-client's own, and ours, each in a registry of its own. */
function twins(contentType: string) {
  const reference = new Registry();
  const hot = new Registry();
  for (const registry of [reference, hot]) registry.setContentType(contentType as never);
  const config = { help: "h", labelNames: ["model", "version"] as const };
  return {
    reference,
    hot,
    prom: {
      counter: new Counter({
        ...config,
        name: "c_total",
        labelNames: [...config.labelNames],
        registers: [reference],
      }),
      gauge: new Gauge({ ...config, name: "g", labelNames: [...config.labelNames], registers: [reference] }),
      histogram: new Histogram({
        ...config,
        name: "h_seconds",
        labelNames: [...config.labelNames],
        buckets: BUCKETS,
        registers: [reference],
      }),
      unlabelled: new Gauge({ name: "u", help: "h", registers: [reference] }),
    },
    ours: {
      counter: new HotCounter({ ...config, name: "c_total", registers: [hot] }),
      gauge: new HotGauge({ ...config, name: "g", registers: [hot] }),
      histogram: new HotHistogram({ ...config, name: "h_seconds", buckets: BUCKETS, registers: [hot] }),
      unlabelled: new HotGauge<never>({ name: "u", help: "h", labelNames: [], registers: [hot] }),
    },
  };
}

describe("hot metrics", () => {
  for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE]) {
    it(`export what prom-client's own metrics export for the same updates (${contentType.split(";")[0]})`, async () => {
      // GIVEN the same updates applied to prom-client's metrics and to ours
      const { reference, hot, prom, ours } = twins(contentType);
      for (const [labels, value] of OBSERVATIONS) {
        prom.counter.inc(labels, value);
        ours.counter.series(labels).inc(value);
        prom.gauge.set(labels, value);
        ours.gauge.series(labels).set(value);
        prom.histogram.observe(labels, value);
        ours.histogram.series(labels).observe(value);
      }
      prom.gauge.inc({ model: "a", version: "1" }, 2);
      ours.gauge.series({ model: "a", version: "1" }).inc(2);
      prom.gauge.dec({ model: "a", version: "1" });
      ours.gauge.series({ model: "a", version: "1" }).dec();
      prom.unlabelled.inc(3);
      ours.unlabelled.series({}).inc(3);

      // THEN the registries write the same text and the same JSON
      const text = await reference.metrics();
      expect(text).toContain('h_seconds_bucket{le="0.001",model="a",version="1"} 2');
      expect(await hot.metrics()).toBe(text);
      expect(await hot.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
    });
  }

  it("exports a bound series at zero before its first update, and keeps it bound across reset()", async () => {
    const registry = new Registry();
    const histogram = new HotHistogram({
      name: "h_seconds",
      help: "h",
      labelNames: ["model"],
      buckets: BUCKETS,
      registers: [registry],
    });
    const series = histogram.series({ model: "m" });
    expect(await registry.metrics()).toContain('h_seconds_count{model="m"} 0');
    series.observe(0.5);
    expect(await registry.metrics()).toContain('h_seconds_count{model="m"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('h_seconds_count{model="m"} 0');
    series.observe(0.5);
    expect(await registry.metrics()).toContain('h_seconds_bucket{le="1",model="m"} 1');
  });

  it("hands out one series per label values, whatever object carries them", () => {
    const counter = new HotCounter({ name: "c_total", help: "h", labelNames: ["a", "b"], registers: [] });
    expect(counter.series({ a: "x", b: "y" })).toBe(counter.series({ b: "y", a: "x" }));
    expect(counter.series({ a: "x", b: "y" })).not.toBe(counter.series({ a: "x", b: "z" }));
  });

  it("refuses what prom-client refuses: decreasing counters, non-finite observations, unordered buckets", () => {
    const counter = new HotCounter({ name: "c_total", help: "h", labelNames: [], registers: [] });
    expect(() => counter.series({}).inc(-1)).toThrow(/c_total: a counter only increases/);
    const histogram = new HotHistogram({
      name: "h",
      help: "h",
      labelNames: [],
      buckets: [1, 2],
      registers: [],
    });
    expect(() => histogram.series({}).observe(Number.NaN)).toThrow(
      /h: an observation must be a finite number/,
    );
    expect(
      () => new HotHistogram({ name: "x", help: "h", labelNames: [], buckets: [2, 1], registers: [] }),
    ).toThrow(/x: buckets must be finite and ascending/);
    expect(() =>
      new HotGauge({ name: "g", help: "h", labelNames: ["a"], registers: [] }).series({ a: 1 as never }),
    ).toThrow(/g: label "a" needs a string value/);
  });
});
