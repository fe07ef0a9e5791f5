import { type ErrorCode, type Problem, ValidationError } from "./errors";
import { isUnresolved, type Lazy } from "./lazy";

/**
 * Collects the problems of one construct's props, then throws them all at once: a user fixes
 * every mistake in one round instead of one per `pulumi preview`.
 *
 * ```ts
 * const check = new Validator("ModelService", name);
 * check.that(min <= max, "replicas.min", `(${min}) must not exceed replicas.max (${max})`);
 * check.throwIfAny();
 * ```
 */
export class Validator {
  private readonly problems: Problem[] = [];

  constructor(
    readonly construct: string,
    readonly constructName: string,
  ) {}

  /** Record a problem at `path` (with a code more specific than `ONNXFLEET_INVALID_PROPS`, if given). */
  add(path: string, reason: string, code?: ErrorCode): void {
    this.problems.push(code === undefined ? { path, reason } : { path, reason, code });
  }

  /** Record a problem at `path` unless `ok`. Returns `ok`, so checks can be chained. */
  that(ok: boolean, path: string, reason: string): boolean {
    if (!ok) this.add(path, reason);
    return ok;
  }

  /**
   * Runs `check` only when `value` is known (defined, and not a Pulumi Output or CDKTF token): values
   * resolved at deploy time pass through unchecked.
   */
  ifKnown<T>(value: Lazy<T> | undefined, check: (known: T) => void): void {
    if (value === undefined || isUnresolved(value)) return;
    check(value as T);
  }

  get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  /** Problems collected so far. */
  list(): readonly Problem[] {
    return [...this.problems];
  }

  /** Throws one {@link ValidationError} listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.problems.length > 0)
      throw new ValidationError(this.construct, this.constructName, this.problems);
  }
}

/** Formats a received value for a message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
