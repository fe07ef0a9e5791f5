import * as pulumi from "@pulumi/pulumi";
import { multiRegionFailoverNames } from "../../src/naming-gpu-pool-failover";
import { type MultiRegionFailoverPlan, planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import { type FailoverEndpointSource, failoverEndpointOf } from "../../src/specs/failover-endpoint";
import type {
  FailoverEndpoint,
  FailoverRegionProps,
  MultiRegionFailoverProps,
} from "../../src/specs/multi-region-failover";
import type { AutoscaledEndpoint } from "./autoscaled-endpoint";
import { createCloudResources } from "./create-planned";
import { planOrThrowInputErrors } from "./input-errors";
import { asInput, type PulumiInputs } from "./inputs";

/** One region of a {@link MultiRegionFailover}: the core's region props, taking an AutoscaledEndpoint. */
export interface MultiRegionFailoverRegionArgs extends Omit<FailoverRegionProps, "endpoint"> {
  /**
   * The region's endpoint: an {@link AutoscaledEndpoint} exposed by an NLB, or `{ hostname }` (a
   * `pulumi.Input<string>`, as its `port` is a `pulumi.Input<number>`).
   */
  readonly endpoint: AutoscaledEndpoint | PulumiInputs<FailoverEndpoint>;
}

/**
 * Arguments of a {@link MultiRegionFailover}: the core's `MultiRegionFailoverProps` (`hostedZoneId` and
 * `domainName` take `pulumi.Input<string>`), with AutoscaledEndpoints as the regions' endpoints.
 */
export interface MultiRegionFailoverArgs extends Omit<PulumiInputs<MultiRegionFailoverProps>, "regions"> {
  /** The regions serving the model, each with its endpoint; in failover routing the first is primary. */
  readonly regions: readonly MultiRegionFailoverRegionArgs[];
}

/**
 * One DNS name served from several regions: per region a Route53 health check on the endpoint's readiness
 * path and a record (failover or latency routing) guarded by it. The worst-case failover time
 * (`intervalSeconds x failureThreshold + ttlSeconds`) is checked against `maxFailoverSeconds` before anything
 * is created.
 *
 * Route53 is global: pass one `aws.Provider` (any region) in `opts.providers`, or use the default provider.
 */
export class MultiRegionFailover extends pulumi.ComponentResource {
  /** What the core planned. */
  readonly plan: MultiRegionFailoverPlan;
  /** Route53 health check id of each region, by region. */
  readonly healthCheckIds: Readonly<Record<string, pulumi.Output<string>>>;
  /** The DNS name the records serve. */
  readonly domainName: pulumi.Output<string>;
  /** Worst-case seconds from a region failing to clients resolving the next one, as planned. */
  readonly worstCaseFailoverSeconds: number;

  /**
   * @throws pulumi.InputPropertiesError listing every invalid prop with its path (its `cause` is the core's
   * ValidationError, code `ONNXFLEET_INVALID_PROPS`).
   */
  constructor(name: string, args: MultiRegionFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    const regions = (args.regions ?? []).map(
      (region): FailoverRegionProps => ({
        ...region,
        endpoint: failoverEndpointOf(region.endpoint as FailoverEndpointSource),
      }),
    );
    const plan = planOrThrowInputErrors(() => planMultiRegionFailover(name, { ...args, regions }));
    super("onnxfleet:index:MultiRegionFailover", name, {}, opts);
    this.plan = plan;
    this.worstCaseFailoverSeconds = plan.worstCaseFailoverSeconds;
    this.domainName = pulumi.output(asInput(plan.spec.domainName));

    const cloud = createCloudResources(this, plan.cloudResources);
    this.healthCheckIds = Object.fromEntries(
      plan.spec.regions.map(({ region }) => {
        const healthCheck = cloud.get(multiRegionFailoverNames(plan.spec.name, region).healthCheck);
        return [region, (healthCheck as pulumi.CustomResource).id];
      }),
    );

    this.registerOutputs({
      domainName: this.domainName,
      healthCheckIds: this.healthCheckIds,
      worstCaseFailoverSeconds: this.worstCaseFailoverSeconds,
    });
  }
}
