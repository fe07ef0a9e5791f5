import type * as pulumi from "@pulumi/pulumi";
import type { HasUnresolved, Lazy, Leaf, Resolved } from "../../src/lazy";

/**
 * The Pulumi args of a construct, derived from the core's props: every prop the core types `Lazy<T>` (a plain
 * value, or one only the engine knows) takes a `pulumi.Input<T>` here, deeply, and every other prop keeps its
 * type. So `clusterName: cluster.name` type-checks and `clusterName: cluster` (the resource) does not, while
 * `src/` stays free of `@pulumi/*`.
 *
 * `PulumiInputs<{ clusterName: Lazy<string>; subnetIds?: Lazy<readonly Lazy<string>[]> }>` is
 * `{ clusterName: pulumi.Input<string>; subnetIds?: pulumi.Input<readonly pulumi.Input<string>[]> }`.
 */
export type PulumiInputs<T> =
  HasUnresolved<T> extends true
    ? pulumi.Input<InputsOf<Exclude<Resolved<T>, undefined>>> | Extract<T, undefined>
    : InputsOf<T>;

/** `T` with its nested props mapped by {@link PulumiInputs}; distributes over unions (`ExposureProps`). */
type InputsOf<T> = T extends Leaf
  ? T
  : T extends readonly (infer E)[]
    ? readonly PulumiInputs<E>[]
    : { readonly [K in keyof T]: PulumiInputs<T[K]> };

/**
 * A value the core passed through untouched, typed back as the `pulumi.Input` the args gave: the core holds
 * an unresolved value only where the args (typed by {@link PulumiInputs}) held a `pulumi.Input`.
 */
export function asInput<T>(value: Lazy<T>): pulumi.Input<T> {
  return value as pulumi.Input<T>;
}
