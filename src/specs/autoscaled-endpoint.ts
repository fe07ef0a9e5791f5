/**
 * Props of an AutoscaledEndpoint: autoscaling and exposure of a ModelService. The service itself is not a
 * prop here: the core planner takes the service's plan as its own argument and each front-end adds a typed
 * `service` prop. Validation: `resolve-autoscaled-endpoint.ts`.
 */

import type { Lazy } from "../lazy";
import type { CapacityProps } from "./capacity";
import type { MinMax } from "./common";

/** Kinds of autoscaler (the `type` of {@link AutoscalerProps}). */
export const AUTOSCALER_TYPES = ["hpa", "keda"] as const satisfies readonly AutoscalerProps["type"][];
/** Kinds of exposure (the `type` of {@link ExposureProps}). */
export const EXPOSURE_TYPES = ["clusterIP", "nlb"] as const satisfies readonly ExposureProps["type"][];
/** Reachability of an endpoint (the AWS load balancer scheme). */
export const ENDPOINT_SCHEMES = ["internal", "internet-facing"] as const;

/** Reachability of an endpoint (the AWS load balancer scheme). */
export type EndpointScheme = (typeof ENDPOINT_SCHEMES)[number];

/** Scaling target of each model version's Deployment. */
export interface ScalingTargetProps {
  /**
   * In-flight requests per pod the autoscaler aims for (the server's `onnxfleet_inflight_requests` gauge,
   * averaged over the pods). Around `batching.maxBatchSize` for a batching model.
   * @default - derived from `capacity` by Little's law (required without `capacity`)
   */
  readonly inflightRequestsPerReplica?: number;
  /**
   * Average CPU utilisation (percent of the CPU request) that also triggers a scale-up: a fallback when the
   * in-flight metric is missing. Only with the `hpa` autoscaler.
   * @default 80
   */
  readonly cpuUtilizationPercent?: number;
}

/** A HorizontalPodAutoscaler (autoscaling/v2) fed by the Prometheus Adapter's pods metric. */
export interface HpaAutoscalerProps {
  readonly type: "hpa";
}

/** A KEDA ScaledObject (keda.sh/v1alpha1) with a Prometheus trigger; allows `replicas.min` 0. */
export interface KedaAutoscalerProps {
  readonly type: "keda";
  /** Address of the Prometheus server KEDA queries, e.g. `http://prometheus.monitoring.svc:9090`. */
  readonly prometheusServerAddress: string;
  /**
   * PromQL query of the demand on one model version; `{{deployment}}` is replaced by the Deployment's name.
   * Required when `replicas.min` is 0: at zero pods the server's own gauge does not exist, so the demand must
   * be measured upstream (a gateway or load balancer metric).
   * @default - the sum of `onnxfleet_inflight_requests` over the Deployment's pods
   */
  readonly query?: string;
  /**
   * Seconds between two KEDA checks of the trigger.
   * @default 15
   */
  readonly pollingIntervalSeconds?: number;
  /**
   * Seconds after the last activity before scaling to zero (only with `replicas.min` 0).
   * @default 300
   */
  readonly cooldownSeconds?: number;
}

/** Which autoscaler scales the Deployments. */
export type AutoscalerProps = HpaAutoscalerProps | KedaAutoscalerProps;

/** Only inside the cluster: the ModelService's ClusterIP Service. */
export interface ClusterIpExposureProps {
  readonly type: "clusterIP";
}

/**
 * TLS on the load balancer: the NLB terminates TLS with an ACM certificate and forwards plain HTTP to the pods
 * inside the VPC (AWS Load Balancer Controller annotations `aws-load-balancer-ssl-cert`, `-ssl-ports` and
 * `-ssl-negotiation-policy`).
 */
export interface NlbTlsProps {
  /** ARN of the ACM certificate for the name clients use, `arn:aws:acm:<region>:<account>:certificate/<id>`. */
  readonly certificateArn: Lazy<string>;
  /**
   * The listener's security policy (protocols and ciphers offered to clients). Only TLS 1.3 policies are
   * accepted (`ELBSecurityPolicy-TLS13-...`).
   * @default "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" - TLS 1.3 and 1.2 with forward-secret AEAD ciphers only
   */
  readonly sslPolicy?: string;
}

/** Opt-out names, written once: the explicit way to ask for what onnxfleet refuses by default. */
export const ANYWHERE = "anywhere" as const;
export const PLAINTEXT = "none" as const;

/** An AWS Network Load Balancer (AWS Load Balancer Controller), targets the pod IPs. */
export interface NlbExposureProps {
  readonly type: "nlb";
  /**
   * `internal` (reachable inside the VPC) or `internet-facing`. An internet-facing endpoint must name its
   * `sourceRanges` and `tls` (or opt out of each by name), and its ModelService must name its `auth`.
   * @default "internal"
   */
  readonly scheme?: EndpointScheme;
  /**
   * Port the load balancer listens on; it forwards to the server's HTTP port.
   * @default - 443 with `tls`, 80 without
   */
  readonly port?: number;
  /**
   * Client IP ranges (CIDR) allowed through the load balancer (`loadBalancerSourceRanges`, enforced on the
   * NLB's security group). Required for an internet-facing endpoint; `"anywhere"` admits the whole internet
   * (`0.0.0.0/0`) and is the only way to ask for it.
   * @default - the `loadBalancerCidrs` (the VPC) for an internal endpoint; required for an internet-facing one
   */
  readonly sourceRanges?: readonly string[] | typeof ANYWHERE;
  /**
   * IP ranges (CIDR) the load balancer connects to the pods from: the VPC's CIDR (or the load balancer
   * subnets' CIDRs). Client IPs are not preserved for IP targets over TCP, so the pods' NetworkPolicy admits
   * these ranges, and only these, to the serving port (health checks included). `0.0.0.0/0` is refused.
   */
  readonly loadBalancerCidrs: readonly string[];
  /**
   * Add the IP ranges of Route53 health checkers (`src/catalog/route53-health-checkers.ts`) to `sourceRanges`.
   * Required when the endpoint is a region of a MultiRegionFailover and `sourceRanges` is not `"anywhere"`:
   * otherwise every Route53 health check fails.
   * @default false
   */
  readonly admitRoute53HealthCheckers?: boolean;
  /**
   * TLS termination on the load balancer (listener on `port`, 443 by default). Required for an
   * internet-facing endpoint; `"none"` serves plain HTTP and is the only way to ask for it.
   * @default - no TLS for an internal endpoint; required for an internet-facing one
   */
  readonly tls?: NlbTlsProps | typeof PLAINTEXT;
}

/** How the endpoint is reached. */
export type ExposureProps = ClusterIpExposureProps | NlbExposureProps;

export interface AutoscaledEndpointProps {
  /**
   * Pods per model version: the autoscaler stays within `[min, max]`. `min` 0 needs the `keda` autoscaler.
   * With `capacity` too, bounds below the derived ones are refused.
   * @default - derived from `capacity` (required without `capacity`)
   */
  readonly replicas?: MinMax;
  /**
   * What the autoscaler aims for.
   * @default - derived from `capacity` (required without `capacity`)
   */
  readonly target?: ScalingTargetProps;
  /**
   * Capacity from a measured profile: replica bounds, the autoscaler's target, the batching setting and GPU
   * nodes derived from a peak rate and a p99 target (docs/capacity.md).
   * @default - none: `replicas` and `target` are set by hand
   */
  readonly capacity?: CapacityProps;
  /**
   * The autoscaler.
   * @default { type: "hpa" }
   */
  readonly autoscaler?: AutoscalerProps;
  /**
   * How clients reach the endpoint.
   * @default { type: "clusterIP" }
   */
  readonly exposure?: ExposureProps;
}

/** The defaults of every optional AutoscaledEndpoint prop, in one place. */
export const AUTOSCALED_ENDPOINT_DEFAULTS = {
  cpuUtilizationPercent: 80,
  nlbScheme: "internal",
  nlbPort: 80,
  nlbTlsPort: 443,
  /** TLS 1.3 and 1.2, forward-secret AEAD ciphers: the console's default NLB policy. */
  nlbSslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  kedaPollingIntervalSeconds: 15,
  kedaCooldownSeconds: 300,
  /** Seconds the HPA waits for lower recommendations before it scales down. */
  scaleDownStabilizationSeconds: 300,
} as const;
