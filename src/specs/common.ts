/**
 * Prop types and validators shared by every construct. Each validator records a {@link Problem} on a
 * {@link Validator} whose reason names the value received and what is allowed, and returns whether the value
 * was acceptable. Values unknown at synth time (Pulumi Outputs, CDKTF tokens) are accepted untouched: a
 * validator returns `true` for them without looking inside.
 */

import { isUnresolved, type Lazy } from "../lazy";
import { isPlainData, show, type Validator } from "../validate";
import { isWholeInternetCidr } from "./cidr";

/**
 * A Kubernetes resource quantity as the API server accepts it: `"500m"`, `"2"`, `"1.5"`, `"8Gi"`, `"512Mi"`,
 * `"1e3"`. Binary suffixes Ki Mi Gi Ti Pi Ei; decimal suffixes n u m k M G T P E.
 */
export type Quantity = string;

/** An inclusive count range, e.g. replicas or nodes: `{ min: 2, max: 20 }`. */
export interface MinMax {
  /** Lowest count (inclusive). */
  readonly min: number;
  /** Highest count (inclusive); at least `min`. */
  readonly max: number;
}

// --- names ---------------------------------------------------------------------------------------------

/** Longest DNS-1123 label (a Kubernetes object name that is also a DNS label, e.g. a Service). */
export const DNS1123_LABEL_MAX_LENGTH = 63;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when `name` is a DNS-1123 label: at most 63 of `a-z`, `0-9`, `-`, starting and ending alphanumeric. */
export function isDns1123Label(name: string): boolean {
  return name.length <= DNS1123_LABEL_MAX_LENGTH && DNS1123_LABEL.test(name);
}

/**
 * Checks that `value` is a DNS-1123 label of at most `maxLength` characters (63 by default; less when the
 * name is a prefix that the planner extends, see `src/naming.ts`).
 */
export function checkDns1123Label(
  check: Validator,
  path: string,
  value: Lazy<string> | undefined,
  maxLength = DNS1123_LABEL_MAX_LENGTH,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  if (typeof value !== "string") {
    check.add(path, `(${show(value)}) must be a string`);
    return false;
  }
  if (!DNS1123_LABEL.test(value)) {
    const hint = suggestDns1123Label(value);
    check.add(
      path,
      `(${show(value)}) must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending ` +
        `with a letter or digit${hint && hint !== value ? ` (did you mean ${show(hint)}?)` : ""}`,
    );
    return false;
  }
  if (value.length > maxLength) {
    check.add(path, `(${show(value)}) is ${value.length} characters long; at most ${maxLength} are allowed`);
    return false;
  }
  return true;
}

/** The closest DNS-1123 label to `value` (lowercased, other characters turned into "-"), or "" if none. */
export function suggestDns1123Label(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, DNS1123_LABEL_MAX_LENGTH)
    .replace(/-+$/, "");
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True when `value` may be a Kubernetes label value (at most 63 of `A-Za-z0-9-_.`, alphanumeric ends). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Checks that `value` can be used as a Kubernetes label value. */
export function checkLabelValue(check: Validator, path: string, value: Lazy<string> | undefined): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  return check.that(
    typeof value === "string" && isLabelValue(value),
    path,
    `(${show(value)}) must be a Kubernetes label value: at most 63 letters, digits, "-", "_" or ".", ` +
      "starting and ending with a letter or digit",
  );
}

// --- quantities ----------------------------------------------------------------------------------------

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const SUFFIX_MULTIPLIER: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** True when `value` is a Kubernetes quantity (see {@link Quantity}). */
export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/**
 * The numeric value of a quantity (`"8Gi"` -> 8589934592, `"500m"` -> 0.5), for comparisons such as
 * request <= limit. Returns `undefined` for a string that is not a quantity.
 */
export function parseQuantity(value: string): number | undefined {
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[2] ?? "";
  if (/^[eE][+-]?\d+$/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * (SUFFIX_MULTIPLIER[suffix] ?? Number.NaN);
}

/**
 * For a near-miss like `"2Gb"`, `"2GB"`, `"2gi"`, `"512 Mi"` or `"2GiB"`, the quantity the user most likely
 * meant (`"2Gi"`, `"512Mi"`); `undefined` when there is no obvious guess.
 */
export function suggestQuantity(value: string): string | undefined {
  const compact = value.replace(/\s+/g, "");
  if (compact !== value && isQuantity(compact)) return compact;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([a-zA-Z]+)$/.exec(compact);
  if (!match) return undefined;
  const [, number, unit = ""] = match;
  const byteUnit = /^([kmgtpe])(?:i?b?|ib)$/i.exec(unit);
  if (!byteUnit?.[1]) return undefined;
  const letter = byteUnit[1].toUpperCase();
  return `${number}${letter}i`;
}

export interface QuantityRule {
  /** Reject zero and negative quantities. @default true */
  readonly positive?: boolean;
}

/** Checks that `value` is a Kubernetes quantity (positive unless told otherwise), hinting at the fix. */
export function checkQuantity(
  check: Validator,
  path: string,
  value: Lazy<Quantity> | undefined,
  rule: QuantityRule = {},
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  if (typeof value !== "string") {
    const hint = typeof value === "number" && Number.isFinite(value) ? ` (did you mean "${value}"?)` : "";
    check.add(
      path,
      `(${show(value)}) must be a Kubernetes quantity string such as "2", "500m" or "8Gi"${hint}`,
    );
    return false;
  }
  const parsed = parseQuantity(value);
  if (parsed === undefined) {
    const hint = suggestQuantity(value);
    check.add(
      path,
      `(${show(value)}) is not a Kubernetes quantity${hint ? ` (did you mean ${hint}?)` : ""}: use a number ` +
        "with an optional suffix Ki Mi Gi Ti Pi Ei (powers of 1024) or n u m k M G T P E (powers of 1000), " +
        'e.g. "500m", "2" or "8Gi"',
    );
    return false;
  }
  if ((rule.positive ?? true) && !(parsed > 0)) {
    check.add(path, `(${show(value)}) must be greater than zero`);
    return false;
  }
  return true;
}

// --- digests -------------------------------------------------------------------------------------------

const SHA256 = /^[0-9a-fA-F]{64}$/;

/** True when `value` is a sha256 digest: 64 hex digits (either case; see {@link normalizeSha256}). */
export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

/** Lowercases a sha256 digest (the form the server and the plan use). Unknown values pass through. */
export function normalizeSha256<T extends Lazy<string>>(value: T): T {
  return (typeof value === "string" && isSha256(value) ? value.toLowerCase() : value) as T;
}

/** Checks that `value` is a sha256 digest of 64 hex digits. */
export function checkSha256(check: Validator, path: string, value: Lazy<string> | undefined): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  if (typeof value === "string" && isSha256(value)) return true;
  const text = typeof value === "string" ? value : "";
  const prefixed = /^sha256:/i.test(text) && isSha256(text.slice(7));
  const length = typeof value === "string" ? ` (${value.length} characters)` : "";
  check.add(
    path,
    `(${show(value)}) must be a sha256 digest of exactly 64 hex digits${prefixed ? ' without the "sha256:" prefix' : length}` +
      "; compute it with `sha256sum model.onnx`",
  );
  return false;
}

// --- numbers -------------------------------------------------------------------------------------------

/** Checks that `value` is an integer >= 1. */
export function checkPositiveInteger(
  check: Validator,
  path: string,
  value: Lazy<number> | undefined,
): boolean {
  return checkIntegerRange(check, path, value, 1, Number.MAX_SAFE_INTEGER);
}

/** Checks that `value` is an integer >= 0. */
export function checkNonNegativeInteger(
  check: Validator,
  path: string,
  value: Lazy<number> | undefined,
): boolean {
  return checkIntegerRange(check, path, value, 0, Number.MAX_SAFE_INTEGER);
}

/** Checks that `value` is an integer in `[min, max]`. */
export function checkIntegerRange(
  check: Validator,
  path: string,
  value: Lazy<number> | undefined,
  min: number,
  max: number,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  const ok = typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
  return check.that(ok, path, `(${show(value)}) must be ${describeRange("an integer", min, max)}`);
}

/** Checks that `value` is a finite number in `[min, max]`. */
export function checkNumberRange(
  check: Validator,
  path: string,
  value: Lazy<number> | undefined,
  min: number,
  max: number,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  const ok = typeof value === "number" && Number.isFinite(value) && value >= min && value <= max;
  return check.that(ok, path, `(${show(value)}) must be ${describeRange("a number", min, max)}`);
}

function describeRange(kind: string, min: number, max: number): string {
  if (max >= Number.MAX_SAFE_INTEGER)
    return min === 1 && kind === "an integer" ? "a positive integer" : `${kind} >= ${min}`;
  return `${kind} from ${min} to ${max}`;
}

/**
 * Checks a {@link MinMax}: both positive integers (or >= `lowest`), and `min` not above `max`.
 * Reports e.g. `replicas.min (5) must not exceed replicas.max (3)`.
 */
export function checkMinMax(
  check: Validator,
  path: string,
  value: Lazy<MinMax> | undefined,
  lowest = 1,
  highest = Number.MAX_SAFE_INTEGER,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  if (typeof value !== "object" || value === null) {
    check.add(path, `(${show(value)}) must be an object { min, max }`);
    return false;
  }
  const range = value as MinMax;
  const minOk = checkIntegerRange(check, `${path}.min`, range.min, lowest, highest);
  const maxOk = checkIntegerRange(check, `${path}.max`, range.max, lowest, highest);
  if (!minOk || !maxOk || !isKnownNumber(range.min) || !isKnownNumber(range.max)) return minOk && maxOk;
  return check.that(
    range.min <= range.max,
    `${path}.min`,
    `(${range.min}) must not exceed ${path}.max (${range.max})`,
  );
}

function isKnownNumber(value: unknown): value is number {
  return typeof value === "number" && !isUnresolved(value);
}

// --- closed sets ---------------------------------------------------------------------------------------

/** Checks that `value` is one of `allowed` (a string-literal union checked for JavaScript callers too). */
export function checkOneOf<T extends string>(
  check: Validator,
  path: string,
  value: Lazy<T> | undefined,
  allowed: readonly T[],
): value is T | undefined {
  if (value === undefined || isUnresolved(value)) return true;
  return check.that(
    (allowed as readonly unknown[]).includes(value),
    path,
    `(${show(value)}) must be one of ${allowed.map((a) => show(a)).join(", ")}`,
  );
}

/** Checks that `value` is a DNS-1035 label (a DNS-1123 label starting with a letter: Service names). */
export function checkDns1035Label(
  check: Validator,
  path: string,
  value: Lazy<string> | undefined,
  maxLength = DNS1123_LABEL_MAX_LENGTH,
): boolean {
  if (!checkDns1123Label(check, path, value, maxLength)) return false;
  if (typeof value !== "string") return true;
  return check.that(/^[a-z]/.test(value), path, `(${show(value)}) must start with a lowercase letter`);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks that `value` is a DNS-1123 subdomain (most Kubernetes object names): at most 253 characters. */
export function checkDns1123Subdomain(
  check: Validator,
  path: string,
  value: Lazy<string> | undefined,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  return check.that(
    typeof value === "string" && value.length <= 253 && DNS1123_SUBDOMAIN.test(value),
    path,
    `(${show(value)}) must be a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending ` +
      "with a letter or digit, at most 253 characters",
  );
}

// --- networks ------------------------------------------------------------------------------------------

const IPV4_CIDR =
  /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

/** True when `value` is an IPv4 or IPv6 range in CIDR notation (`10.0.0.0/16`, `fd00::/8`). */
export function isCidr(value: string): boolean {
  return IPV4_CIDR.test(value) || (IPV6_CIDR.test(value) && (value.match(/::/g)?.length ?? 0) <= 1);
}

/** Checks that `value` is an IP range in CIDR notation. */
export function checkCidr(check: Validator, path: string, value: Lazy<string> | undefined): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  return check.that(
    typeof value === "string" && isCidr(value),
    path,
    `(${show(value)}) must be an IP range in CIDR notation, e.g. "10.0.0.0/16" or "0.0.0.0/0"`,
  );
}

/** An IAM role ARN in any partition: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html */
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Checks an IAM role ARN (`arn:aws:iam::<account>:role/<path/name>`); unresolved values pass. */
export function checkIamRoleArn(check: Validator, path: string, value: Lazy<string> | undefined): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  return check.that(
    typeof value === "string" && IAM_ROLE_ARN.test(value),
    path,
    `(${show(value)}) must be an IAM role ARN like "arn:aws:iam::123456789012:role/eks-nodes"`,
  );
}

/**
 * Checks a range that a NetworkPolicy `ipBlock` admits to the server pods: a CIDR, and not one that admits every
 * address (`0.0.0.0/0`, `::/0`), which would open the pods to every pod of the cluster and, through any load
 * balancer or node port, to the internet. The one opt-out for the whole internet is an AutoscaledEndpoint's
 * `exposure.sourceRanges: "anywhere"`, which is named and reviewable.
 */
export function checkPodIngressCidr(
  check: Validator,
  path: string,
  value: Lazy<string> | undefined,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  if (!checkCidr(check, path, value)) return false;
  return check.that(
    !isWholeInternetCidr(value),
    path,
    `(${show(value)}) admits every address, every pod of the cluster and the internet included: list the ` +
      'ranges that must reach the pods (e.g. the VPC\'s "10.0.0.0/16"); to serve the internet, use an ' +
      'AutoscaledEndpoint, whose exposure.sourceRanges: "anywhere" is the opt-out',
  );
}

/** Checks a Kubernetes label map: keys `[prefix/]name`, values label values. */
export function checkLabels(
  check: Validator,
  path: string,
  value: Readonly<Record<string, string>> | undefined,
): boolean {
  if (value === undefined || isUnresolved(value)) return true;
  if (typeof value !== "object" || value === null) {
    check.add(path, `(${show(value)}) must be an object of label keys to values`);
    return false;
  }
  let ok = true;
  for (const [key, labelValue] of Object.entries(value)) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : "";
    const labelName = slash >= 0 ? key.slice(slash + 1) : key;
    const keyOk =
      (slash < 0 || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix))) &&
      labelName.length > 0 &&
      isLabelValue(labelName);
    ok =
      check.that(
        keyOk,
        `${path}[${show(key)}]`,
        "is not a valid label key: [prefix/]name, name at most 63 characters",
      ) && ok;
    ok = checkLabelValue(check, `${path}[${show(key)}]`, labelValue as string) && ok;
  }
  return ok;
}

/** Like {@link checkOneOf}, for a required field such as the `type` of a tagged union. */
export function checkRequiredOneOf<T extends string>(
  check: Validator,
  path: string,
  value: T | undefined,
  allowed: readonly T[],
): value is T {
  if (value === undefined) {
    check.add(path, `is required: one of ${allowed.map((a) => show(a)).join(", ")}`);
    return false;
  }
  return checkOneOf(check, path, value, allowed);
}

/** Every key of every member of the union `T` (plain `keyof` of a union keeps only the shared keys). */
export type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/**
 * The prop names of `T` (of all its members when `T` is a union), from an object literal listing each once
 * (`propNames<Props>({ a: true, b: true })`): a prop added to `T` and forgotten here, or a name `T` lacks,
 * fails to compile.
 */
export function propNames<T extends object>(names: Record<KeysOfUnion<T>, true>): readonly string[] {
  return Object.keys(names);
}

// Unknown prop keys: a typo such as `diskSize` for `diskSizeGiB` would otherwise be ignored silently, most
// often in a topology file or a JavaScript caller. Refused, suggesting the closest known name.

/** Records a problem for every own key of `value` that is not in `known`. */
export function checkKnownKeys(
  check: Validator,
  path: string,
  value: unknown,
  known: readonly string[],
): void {
  if (value === null || typeof value !== "object" || Array.isArray(value) || isUnresolved(value)) return;
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0 && !isPlainData(value)) {
    // A resource or construct where props belong: name it once, not each of its internal keys.
    check.add(path || "props", `(${show(value)}) must be a plain object; allowed props: ${known.join(", ")}`);
    return;
  }
  for (const key of unknown) {
    const hint = closest(key, known);
    check.add(
      path ? `${path}.${key}` : key,
      `is not a prop${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ""}; allowed: ${known.join(", ")}`,
    );
  }
}

/** The known name nearest to `key`: same letters ignoring case, a prefix either way, or edit distance <= 2. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return (
    known.find((name) => name.toLowerCase() === lower) ??
    known.find((name) => name.toLowerCase().startsWith(lower) || lower.startsWith(name.toLowerCase())) ??
    known.find((name) => editDistance(name.toLowerCase(), lower) <= 2)
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
