/**
 * Values the core cannot know at synth time: Pulumi `Output`s and `Promise`s, CDKTF tokens. The core
 * passes them through to the plan untouched and never inspects them; validation skips them.
 */

/** An opaque value resolved later by the front-end (a Pulumi Output or Promise, a CDKTF token object). */
export type Unresolved = object & { readonly __unresolvedBrand?: never };

/** A plain value, or one that only the deployment engine will know. */
export type Lazy<T> = T | Unresolved;

const CDKTF_TOKEN_MARKER = /\$\{Token\[|\$\{TfToken\[|#\{Token\[/;

/** CDKTF encodes tokens inside strings and numbers; numbers are encoded as huge negative doubles. */
const CDKTF_NUMBER_TOKEN_BOUND = -1.8881545897087626e289;

/**
 * True for a value the core must not inspect: a Pulumi Output (`__pulumiOutput`), any thenable, a CDKTF
 * token string or encoded token number, or a CDKTF token object (`resolve` function).
 */
export function isUnresolved(value: unknown): value is Unresolved {
  if (typeof value === "string") return CDKTF_TOKEN_MARKER.test(value);
  if (typeof value === "number") return value <= CDKTF_NUMBER_TOKEN_BOUND;
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Record<string, unknown>;
  if (candidate.__pulumiOutput === true) return true;
  if (typeof candidate.then === "function") return true;
  if (typeof candidate.resolve === "function" && "creationStack" in candidate) return true;
  return false;
}

/** A value is known when it is neither undefined nor unresolved. */
export function isKnown<T>(value: Lazy<T> | undefined): value is T {
  return value !== undefined && !isUnresolved(value);
}
