/**
 * Values the core cannot know at synth time: Pulumi `Output`s and `Promise`s, CDKTF tokens. The core
 * passes them through to the plan untouched and never inspects them; validation skips them.
 *
 * CDKTF tokens are recognised by their encoding (cdktf `lib/tokens/private/encoding.ts`), never by importing
 * cdktf: strings hold `${TfToken[...]}` (string), `#{TfToken[...]}` (list element) or `&{TfToken[...]}` (map
 * key) markers; numbers are doubles whose top 16 bits are a marker; a list token is a one-element array
 * holding a list marker; a map token is an object with a map-marker key.
 */

/** An opaque value resolved later by the front-end (a Pulumi Output or Promise, a CDKTF token object). */
export type Unresolved = object & { readonly __unresolvedBrand?: never };

/** A plain value, or one that only the deployment engine will know. */
export type Lazy<T> = T | Unresolved;

/** True when `T` is exactly {@link Unresolved} (not merely an object type it is assignable to). */
type IsUnresolved<T> = [T] extends [Unresolved] ? ([Unresolved] extends [T] ? true : false) : false;

/**
 * True when the union `T` has an {@link Unresolved} member, i.e. `T` is a `Lazy<X>`. Front-ends use it to type
 * their args: a Pulumi front-end turns such a prop into a `pulumi.Input<X>`, a CDKTF one into `X` (CDKTF tokens
 * are strings, numbers and string lists).
 */
export type HasUnresolved<T> = true extends (T extends unknown ? IsUnresolved<T> : never) ? true : false;

/** `T` without its {@link Unresolved} member: `Resolved<Lazy<string>>` is `string`. */
export type Resolved<T> = T extends unknown ? (IsUnresolved<T> extends true ? never : T) : never;

/** Values a props mapping leaves as they are: primitives and functions. */
export type Leaf =
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined
  | ((...args: never[]) => unknown);

/** CDKTF string, list and map token markers (and the AWS CDK's `${Token[`, which CDKTF once used too). */
const TOKEN_STRING_MARKER = /\$\{Token\[|#\{Token\[|\$\{TfToken\[|#\{TfToken\[|&\{TfToken\[/;
const LIST_TOKEN_STRING_MARKER = /#\{TfToken\[|#\{Token\[/;
const MAP_TOKEN_KEY_MARKER = /&\{TfToken\[/;

/** Top 16 bits of a CDKTF number token (`0xfdff`) and of a number-list element token (`0xfbff`). */
const NUMBER_TOKEN_BITS = 0xfdff;
const NUMBER_LIST_TOKEN_BITS = 0xfbff;

/** The top 16 bits of a double (sign and exponent), where CDKTF writes its marker. */
function topBits(value: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getUint16(0);
}

function isTokenNumber(value: number, list: boolean): boolean {
  return topBits(value) === (list ? NUMBER_LIST_TOKEN_BITS : NUMBER_TOKEN_BITS);
}

/** A list that only CDKTF can resolve: one element holding a list token (string or number). */
function isTokenList(value: readonly unknown[]): boolean {
  if (value.length !== 1) return false;
  const [only] = value;
  if (typeof only === "string") return LIST_TOKEN_STRING_MARKER.test(only);
  return typeof only === "number" && isTokenNumber(only, true);
}

/**
 * True for a value the core must not inspect: a Pulumi Output (`__pulumiOutput`), any thenable, a CDKTF
 * token (string with a token marker, encoded number, encoded list or map) or token object (`resolve`).
 */
export function isUnresolved(value: unknown): value is Unresolved {
  if (typeof value === "string") return TOKEN_STRING_MARKER.test(value);
  if (typeof value === "number") return isTokenNumber(value, false) || isTokenNumber(value, true);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return isTokenList(value);
  const candidate = value as Record<string, unknown>;
  if (candidate.__pulumiOutput === true) return true;
  if (typeof candidate.then === "function") return true;
  if (typeof candidate.resolve === "function") return true;
  return Object.keys(candidate).some((key) => MAP_TOKEN_KEY_MARKER.test(key));
}

/** A value is known when it is neither undefined nor unresolved. */
export function isKnown<T>(value: Lazy<T> | undefined): value is T {
  return value !== undefined && !isUnresolved(value);
}
