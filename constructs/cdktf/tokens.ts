import type { Lazy, Leaf, Resolved } from "../../src/lazy";

/**
 * The CDKTF props of a construct, derived from the core's props: every prop the core types `Lazy<T>` (a plain
 * value, or one only Terraform knows) takes a `T` here, deeply. CDKTF tokens are strings, numbers and string
 * lists (`Token.asString`, `Token.asNumber`, `Token.asList`), so `clusterName: cluster.name` type-checks and
 * `clusterName: cluster` (the construct) does not.
 *
 * `CdktfTokens<{ clusterName: Lazy<string>; subnetIds?: Lazy<readonly Lazy<string>[]> }>` is
 * `{ clusterName: string; subnetIds?: readonly string[] }`.
 */
export type CdktfTokens<T> = TokensOf<Resolved<T>>;

/** `T` with its nested props mapped by {@link CdktfTokens}; distributes over unions (`ExposureProps`). */
type TokensOf<T> = T extends Leaf
  ? T
  : T extends readonly (infer E)[]
    ? readonly CdktfTokens<E>[]
    : { readonly [K in keyof T]: CdktfTokens<T[K]> };

/**
 * A value the core passed through untouched, typed back as the token the props gave: the core holds an
 * unresolved value only where the props (typed by {@link CdktfTokens}) held a token.
 */
export function asToken<T>(value: Lazy<T>): T {
  return value as T;
}
