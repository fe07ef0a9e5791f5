/**
 * The `capacity` prop of an AutoscaledEndpoint: a measured profile and the demand it must carry. From them
 * the endpoint derives its replica bounds, autoscaler target, batching setting and GPU nodes
 * (`src/capacity/endpoint-capacity.ts`; docs/capacity.md).
 */
import type { CapacityProfile } from "../capacity/profile";

/** A profile and the demand it must carry. */
export interface CapacityProps {
  /**
   * The model's measured profile (`onnxfleet profile` writes it): the parsed `profile.json`, or its path
   * (read when the endpoint is planned; a relative path resolves against the working directory, or against
   * the topology file's directory under `onnxfleet render`/`plan`).
   */
  readonly profile: CapacityProfile | string;
  /** Highest request rate the endpoint must serve, in requests per second. */
  readonly peakRequestsPerSecond: number;
  /** p99 latency target of one request at a replica, in milliseconds. */
  readonly p99Ms: number;
  /**
   * Fraction added to the peak for `replicas.max` and taken off the autoscaler's target, covering its lag
   * and measurement noise (0 to 10).
   * @default 0.2
   */
  readonly headroom?: number;
  /**
   * Rate that must still be carried after losing one availability zone, before the autoscaler or new nodes
   * react: `replicas.min` is the least count whose pods, spread over `zones`, survive that.
   * @default - the peak
   */
  readonly baselineRequestsPerSecond?: number;
  /**
   * Availability zones the pods spread over (the ModelService's zone topology spread), 1 to 10.
   * @default 3
   */
  readonly zones?: number;
  /**
   * The profile stands for the pool's nodes although it was not measured on (all of) the pool's instance
   * types or execution provider. Without it such a profile is refused.
   * @default false
   */
  readonly representative?: boolean;
}

/** The defaults of the optional capacity props. */
export const CAPACITY_DEFAULTS = { headroom: 0.2, zones: 3, representative: false } as const;

/** Every key of {@link CapacityProps}. */
export const CAPACITY_PROP_NAMES = [
  "profile",
  "peakRequestsPerSecond",
  "p99Ms",
  "headroom",
  "baselineRequestsPerSecond",
  "zones",
  "representative",
] as const satisfies readonly (keyof CapacityProps)[];
