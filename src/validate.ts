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

/** Longest rendering of a received value in a message; longer ones end in "…". */
export const SHOW_MAX_LENGTH = 120;

/**
 * Formats a received value for a message: strings quoted, plain objects and arrays as compact JSON, at most
 * {@link SHOW_MAX_LENGTH} characters. A value the core must not inspect (a Pulumi Output, a CDKTF token
 * object) or any other class instance (a Pulumi resource, a CDKTF construct) is named, never serialized:
 * `a Cluster object` instead of thousands of characters of its state.
 */
export function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null && !isPlainData(value)) return describe(value);
  let text: string;
  try {
    text = JSON.stringify(value, (_key, nested: unknown) =>
      typeof nested === "object" && nested !== null && !isPlainData(nested)
        ? `<${describe(nested)}>`
        : nested,
    );
  } catch {
    text = String(value); // a cycle
  }
  return text.length > SHOW_MAX_LENGTH ? `${text.slice(0, SHOW_MAX_LENGTH - 1)}…` : text;
}

/** A plain object or array (the values props are made of), as opposed to an instance of a class. */
export function isPlainData(value: object): boolean {
  if (isUnresolved(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === Array.prototype || prototype === null;
}

/** Names an object without serializing it: its kind, and its class where it has one. */
function describe(value: object): string {
  if (isUnresolved(value)) return "a value known only at deploy time: a Pulumi Output or CDKTF token";
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? `a ${name} object` : "an object";
}
