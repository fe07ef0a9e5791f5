/**
 * The knee search of `onnxfleet profile`: for one batching setting, the highest fixed arrival rate whose p99
 * latency stays within a budget. It ramps the rate geometrically from a start below the replica's capacity
 * until a rate misses (p99 over the budget, an error, or fewer answers than requests: a queue that grows),
 * then bisects between the last rate that met the budget and the first that missed. Every measured rate is
 * kept: the profile holds the whole curve, so a later p99 target picks its own rate from it.
 */

/** What one measured rate must report for the search. */
export interface RateMeasurement {
  /** Offered arrival rate, requests per second. */
  readonly rate: number;
  /** Answers other than 200 and requests never answered. */
  readonly errors: number;
  readonly p99Ms: number;
  /** Answers completed per second during the window: below the rate when the replica cannot keep up. */
  readonly completedPerSecond: number;
}

export interface KneeSearchOptions {
  /** First rate tried, requests per second. */
  readonly startRate: number;
  /** p99 budget, in milliseconds. */
  readonly p99BudgetMs: number;
  /** Factor between ramp steps. @default 1.5 */
  readonly growth?: number;
  /** Bisection steps between the last rate that met and the first that missed. @default 3 */
  readonly refineSteps?: number;
  /** Ramp steps at most (up, or down when the start already misses). @default 12 */
  readonly maxRampSteps?: number;
}

/** The search's answer. */
export interface KneeSearchResult<M extends RateMeasurement> {
  /** Every measurement, in the order made. */
  readonly measurements: readonly M[];
  /** The highest rate that met the budget; undefined when none did. */
  readonly kneeRate: number | undefined;
  /** The lowest rate that missed it; undefined when the ramp ended before any missed. */
  readonly missRate: number | undefined;
}

/** Served answers below this share of the offered rate mean the replica fell behind. */
const KEEPS_UP = 0.95;

/** True when `m` met `budgetMs`: no errors, p99 within it, and the replica kept up with the arrivals. */
export function meetsBudget(m: RateMeasurement, budgetMs: number): boolean {
  return m.errors === 0 && m.p99Ms <= budgetMs && m.completedPerSecond >= KEEPS_UP * m.rate;
}

/** Rates are kept to 3 decimals (what the profile prints). */
function round(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}

/** Runs the search with `measure` (one measurement per call, in sequence). */
export async function searchKnee<M extends RateMeasurement>(
  measure: (rate: number) => Promise<M>,
  options: KneeSearchOptions,
): Promise<KneeSearchResult<M>> {
  const growth = options.growth ?? 1.5;
  const refineSteps = options.refineSteps ?? 3;
  const maxRampSteps = options.maxRampSteps ?? 12;
  const measurements: M[] = [];
  const met = async (rate: number) => {
    const m = await measure(round(rate));
    measurements.push(m);
    return meetsBudget(m, options.p99BudgetMs);
  };
  let good: number | undefined;
  let bad: number | undefined;
  let rate = options.startRate;
  if (await met(rate)) {
    good = rate;
    for (let step = 0; step < maxRampSteps && bad === undefined; step++) {
      rate *= growth;
      if (await met(rate)) good = rate;
      else bad = rate;
    }
  } else {
    bad = rate;
    for (let step = 0; step < maxRampSteps && good === undefined; step++) {
      rate /= growth;
      if (await met(rate)) good = rate;
      else bad = rate;
    }
  }
  if (good !== undefined && bad !== undefined)
    for (let step = 0; step < refineSteps; step++) {
      const middle = Math.sqrt(good * bad);
      if (await met(middle)) good = middle;
      else bad = middle;
    }
  return {
    measurements,
    kneeRate: good === undefined ? undefined : round(good),
    missRate: bad === undefined ? undefined : round(bad),
  };
}
