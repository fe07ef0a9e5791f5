/**
 * Counters, gauges and histograms for the per-request path, exported through a prom-client registry in
 * prom-client's own format (the registry writes the text, so the exposition is prom-client's).
 *
 * prom-client's labelled `inc`/`set`/`observe` validate and hash the label object on every call (even
 * through a `labels(...)` child): about 4,000 CPU instructions each, eight calls per inference request,
 * which was a tenth of a small model's whole request (docs/benchmark.md, "Where the time goes"). Here a
 * caller binds a series once (`series(labels)`) and updates it with plain arithmetic; `get()` builds what
 * prom-client's metric of the same type would return for the same updates
 * (test/server/metrics/hot-metrics.test.ts compares the two expositions).
 */
import type { Metric, Registry } from "prom-client";

/** Label values by label name. */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** What every metric here is configured with (prom-client's names). */
export interface HotMetricConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  /** The label names, in the order the exposition writes them. */
  readonly labelNames: readonly L[];
  /** Registries to export through. */
  readonly registers: readonly Registry[];
}

/** One series (one set of label values) of a {@link HotCounter}. */
export interface CounterSeries {
  /** Adds `value` (default 1; never negative). */
  inc(value?: number): void;
}

/** One series of a {@link HotGauge}. */
export interface GaugeSeries {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
}

/** One series of a {@link HotHistogram}. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** One exported sample, in prom-client's format (`MetricValue`, with its optional fields). */
interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Record<string, string>;
  exemplar?: null;
}

/** A metric and its samples, as prom-client's `get()` and `getForPromString()` return them. */
interface MetricObject {
  name: string;
  help: string;
  type: string;
  values: Sample[];
  aggregator: string;
}

/** The series of one metric, found by label values in label-name order (nested maps, no key strings). */
abstract class HotMetric<L extends string, S> {
  name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = "sum";
  abstract readonly type: "counter" | "gauge" | "histogram";
  private readonly root = new Map<string, unknown>();
  /** Every series, in creation order (the exposition's order, as prom-client's). */
  protected readonly all: { readonly labels: Record<string, string>; readonly series: S }[] = [];

  constructor(config: HotMetricConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    // The registry reads a metric through get()/getForPromString(), name, type and reset() alone.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels`, created (at zero) on first use; keep it and update it directly. */
  series(labels: LabelValues<L>): S {
    let node: Map<string, unknown> = this.root;
    const last = this.labelNames.length - 1;
    for (let i = 0; i < last; i++) {
      const value = labels[this.labelNames[i]!];
      let next = node.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    const leafKey = last < 0 ? "" : labels[this.labelNames[last]!];
    const found = node.get(leafKey) as S | undefined;
    if (found !== undefined) return found;
    const own: Record<string, string> = {};
    for (const name of this.labelNames) {
      const value = labels[name];
      if (typeof value !== "string") {
        throw new TypeError(`${this.name}: label "${name}" needs a string value, got ${typeof value}`);
      }
      own[name] = value;
    }
    const series = this.createSeries();
    node.set(leafKey, series);
    this.all.push({ labels: own, series });
    return series;
  }

  protected abstract createSeries(): S;
  protected abstract samplesOf(labels: Record<string, string>, series: S): Sample[];
  protected abstract zero(series: S): void;

  /** prom-client's `get()`: the metric and its samples. */
  async get(): Promise<MetricObject> {
    return this.metricObject((labels, series) => this.samplesOf(labels, series));
  }

  /** The metric as prom-client's registry reads it, each series' samples from `samplesOf`. */
  protected metricObject(samplesOf: (labels: Record<string, string>, series: S) => Sample[]): MetricObject {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.all.flatMap(({ labels, series }) => samplesOf(labels, series)),
      aggregator: this.aggregator,
    };
  }

  /**
   * Sets every series back to zero. Unlike prom-client's `reset()`, the series stay (they are bound by
   * their callers) and are exported at zero.
   */
  reset(): void {
    for (const { series } of this.all) this.zero(series);
  }
}

class CounterValue implements CounterSeries {
  value = 0;
  constructor(private readonly metricName: string) {}
  inc(value = 1): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw new RangeError(`${this.metricName}: a counter only increases by a finite amount, got ${value}`);
    }
    this.value += value;
  }
}

/** A counter (prom-client `Counter`'s exposition). */
export class HotCounter<L extends string> extends HotMetric<L, CounterValue> {
  readonly type = "counter";
  protected createSeries(): CounterValue {
    return new CounterValue(this.name);
  }
  protected samplesOf(labels: Record<string, string>, series: CounterValue): Sample[] {
    return [{ value: series.value, labels }];
  }
  protected zero(series: CounterValue): void {
    series.value = 0;
  }
}

class GaugeValue implements GaugeSeries {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
  inc(value = 1): void {
    this.value += value;
  }
  dec(value = 1): void {
    this.value -= value;
  }
}

/** A gauge (prom-client `Gauge`'s exposition). */
export class HotGauge<L extends string> extends HotMetric<L, GaugeValue> {
  readonly type = "gauge";
  protected createSeries(): GaugeValue {
    return new GaugeValue();
  }
  protected samplesOf(labels: Record<string, string>, series: GaugeValue): Sample[] {
    return [{ value: series.value, labels }];
  }
  protected zero(series: GaugeValue): void {
    series.value = 0;
  }
}

class HistogramValue implements HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    private readonly metricName: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${this.metricName}: an observation must be a finite number, got ${value}`);
    }
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }
}

/** Options of {@link HotHistogram}: the bucket upper bounds, ascending. */
export interface HotHistogramConfig<L extends string> extends HotMetricConfig<L> {
  readonly buckets: readonly number[];
}

/** A histogram (prom-client `Histogram`'s exposition: cumulative `_bucket`s with `le`, `_sum`, `_count`). */
export class HotHistogram<L extends string> extends HotMetric<L, HistogramValue> {
  readonly type = "histogram";
  private readonly bounds: readonly number[];

  constructor(config: HotHistogramConfig<L>) {
    super(config);
    const bounds = [...config.buckets];
    if (bounds.some((bound, i) => !Number.isFinite(bound) || (i > 0 && bound <= bounds[i - 1]!))) {
      throw new RangeError(`${config.name}: buckets must be finite and ascending, got ${bounds.join(", ")}`);
    }
    this.bounds = bounds;
  }

  protected createSeries(): HistogramValue {
    return new HistogramValue(this.name, this.bounds);
  }

  /** As prom-client's `getForPromString()`: series labels as shared labels, `le` as the sample's own. */
  async getForPromString(): Promise<MetricObject> {
    return this.metricObject((labels, series) => this.sharedSamplesOf(labels, series));
  }

  /** As prom-client's `get()`: `le` and the series labels together. */
  protected samplesOf(labels: Record<string, string>, series: HistogramValue): Sample[] {
    return this.sharedSamplesOf(labels, series).map(({ sharedLabels, labels: own, ...sample }) => ({
      ...sample,
      labels: { ...own, ...sharedLabels },
    }));
  }

  private sharedSamplesOf(labels: Record<string, string>, series: HistogramValue): Sample[] {
    const bucketName = `${this.name}_bucket`;
    let cumulative = 0;
    const samples: Sample[] = this.bounds.map((bound, i) => {
      cumulative += series.counts[i]!;
      return {
        labels: { le: bound },
        sharedLabels: labels,
        value: cumulative,
        metricName: bucketName,
        exemplar: null,
      };
    });
    samples.push(
      {
        labels: { le: "+Inf" },
        sharedLabels: labels,
        value: series.count,
        metricName: bucketName,
        exemplar: null,
      },
      { labels: {}, sharedLabels: labels, value: series.sum, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: labels, value: series.count, metricName: `${this.name}_count` },
    );
    return samples;
  }

  protected zero(series: HistogramValue): void {
    series.counts.fill(0);
    series.sum = 0;
    series.count = 0;
  }
}
