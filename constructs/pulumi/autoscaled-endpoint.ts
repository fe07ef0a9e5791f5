import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EndpointCapacity } from "../../src/capacity/endpoint-capacity";
import { claimEndpointPoolGpus } from "../../src/capacity/pool-claims";
import { type AutoscaledEndpointPlan, planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import type { AutoscaledEndpointProps } from "../../src/specs/autoscaled-endpoint";
import { createCloudResources, createKubernetesObjects, kubernetesKey } from "./create-planned";
import { planOrThrowInputErrors } from "./input-errors";
import { asInput, type PulumiInputs } from "./inputs";
import { createNamespaceLabels } from "./kubernetes-objects";
import type { ModelService } from "./model-service";

/**
 * Arguments of an {@link AutoscaledEndpoint}: the core's `AutoscaledEndpointProps` (`exposure.tls.certificateArn`
 * takes a `pulumi.Input`), plus the service.
 */
export interface AutoscaledEndpointArgs extends PulumiInputs<AutoscaledEndpointProps> {
  /** The ModelService to autoscale and expose. */
  readonly service: ModelService;
}

/**
 * Autoscales a {@link ModelService} (HorizontalPodAutoscaler or KEDA ScaledObject per model version) and
 * exposes it, in-cluster or through an AWS Network Load Balancer (a `type: LoadBalancer` Service the AWS
 * Load Balancer Controller turns into an NLB). Give it to {@link MultiRegionFailover} as a region's endpoint.
 *
 * Pass the cluster's `k8s.Provider` in `opts.providers`.
 */
export class AutoscaledEndpoint extends pulumi.ComponentResource {
  /** What the core planned. */
  readonly plan: AutoscaledEndpointPlan;
  /** The Service clients inside the cluster use. */
  readonly serviceName: string;
  /** Namespace of the endpoint's objects. */
  readonly namespace: pulumi.Input<string>;
  /**
   * DNS name of the NLB, read from the load balancer Service's `status.loadBalancer.ingress[0].hostname`;
   * undefined with `exposure: { type: "clusterIP" }`.
   */
  readonly hostname: pulumi.Output<string> | undefined;
  /** Port the NLB listens on; undefined with `exposure: { type: "clusterIP" }`. */
  readonly port: number | undefined;
  /** HTTPS when the NLB terminates TLS, else HTTP; undefined with `exposure: { type: "clusterIP" }`. */
  readonly protocol: "HTTP" | "HTTPS" | undefined;
  /** Client ranges the NLB admits; undefined with `exposure: { type: "clusterIP" }`. */
  readonly sourceRanges: readonly string[] | undefined;
  /** Whether the NLB is `internal` or `internet-facing`; undefined with `exposure: { type: "clusterIP" }`. */
  readonly scheme: "internal" | "internet-facing" | undefined;
  /**
   * Figures derived from `capacity` (a MultiRegionFailover reads `requestsPerSecondAtMax` and
   * `peakRequestsPerSecond` for N+1); undefined without `capacity`.
   */
  readonly capacity: EndpointCapacity | undefined;

  /**
   * @throws pulumi.InputPropertiesError listing every invalid prop with its path (its `cause` is the core's
   * ValidationError, code `ONNXFLEET_INVALID_PROPS`).
   */
  constructor(name: string, args: AutoscaledEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    const { service, ...props } = args;
    const plan = planOrThrowInputErrors(() => {
      const plan = planAutoscaledEndpoint(name, props, service?.plan);
      // The pool must hold replicas.max pods beside every other construct's on it (#15 item 7).
      claimEndpointPoolGpus(plan, service.plan);
      return plan;
    });
    super("onnxfleet:index:AutoscaledEndpoint", name, {}, opts);
    this.plan = plan;
    this.serviceName = plan.clusterServiceName;
    this.namespace = asInput(plan.namespace);
    this.port = plan.loadBalancer?.port;
    this.protocol = plan.loadBalancer?.protocol;
    this.sourceRanges = plan.loadBalancer?.sourceRanges;
    this.scheme = plan.loadBalancer?.scheme;
    this.capacity = plan.capacity;

    createCloudResources(this, plan.cloudResources);
    // The namespace labels the plan needs (the NLB's pod readiness gate), as a patch of the existing namespace.
    for (const labels of plan.namespaceLabels) createNamespaceLabels(this, labels);
    // The autoscalers target the service's Deployments: create them once those exist.
    const objects = createKubernetesObjects(this, plan.kubernetesObjects, { dependsOn: [service] });
    const loadBalancer = plan.loadBalancer;
    const lbService = loadBalancer
      ? (objects.get(kubernetesKey("Service", loadBalancer.serviceName)) as k8s.core.v1.Service | undefined)
      : undefined;
    if (loadBalancer && !lbService) {
      throw new Error(
        `onnxfleet/pulumi: planned load balancer Service "${loadBalancer.serviceName}" is missing`,
      );
    }
    this.hostname = lbService?.status.apply((status) => {
      const hostname = status?.loadBalancer?.ingress?.[0]?.hostname;
      if (!hostname) {
        throw new Error(
          `AutoscaledEndpoint "${name}": the Service ${loadBalancer?.serviceName} has no ${loadBalancer?.statusField}; ` +
            "is the AWS Load Balancer Controller installed in the cluster?",
        );
      }
      return hostname;
    });

    this.registerOutputs({
      serviceName: this.serviceName,
      namespace: this.namespace,
      hostname: this.hostname,
    });
  }
}
