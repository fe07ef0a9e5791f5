import { Labels } from "@cdktf/provider-kubernetes/lib/labels";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { EndpointCapacity } from "../../src/capacity/endpoint-capacity";
import { claimEndpointPoolGpus } from "../../src/capacity/pool-claims";
import { type AutoscaledEndpointPlan, planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import type { AutoscaledEndpointProps as CoreAutoscaledEndpointProps } from "../../src/specs/autoscaled-endpoint";
import { createCloudResources, createManifests, kubernetesKey, resourcesOf } from "./create-planned";
import type { ModelService } from "./model-service";
import type { CdktfConstructProps } from "./providers";
import { asToken, type CdktfTokens } from "./tokens";

/** Props of an {@link AutoscaledEndpoint}: the core's `AutoscaledEndpointProps`, the service, the providers. */
export interface AutoscaledEndpointProps
  extends CdktfTokens<CoreAutoscaledEndpointProps>,
    CdktfConstructProps {
  /** The ModelService to autoscale and expose. */
  readonly service: ModelService;
}

/** Where the AWS Load Balancer Controller writes the NLB's DNS name on the Service. */
const HOSTNAME_FIELD = "status.loadBalancer.ingress[0].hostname";

/**
 * The construct id of an endpoint: its name, or `<name>-endpoint` when its own service already holds that
 * id in the same scope (Pulumi names are per type, so a program may give both the same name).
 */
function endpointNodeId(scope: Construct, id: string, service: ModelService | undefined): string {
  return service !== undefined && scope.node.tryFindChild(id) === service ? `${id}-endpoint` : id;
}

/**
 * Autoscales a {@link ModelService} (HorizontalPodAutoscaler or KEDA ScaledObject per model version) and
 * exposes it, in-cluster or through an AWS Network Load Balancer (a `type: LoadBalancer` Service the AWS
 * Load Balancer Controller turns into an NLB; `terraform apply` waits until the Service has the NLB's
 * hostname). Give it to {@link MultiRegionFailover} as a region's endpoint.
 *
 * Pass the cluster's `KubernetesProvider` in `providers`. Its construct id is its name, or `<name>-endpoint`
 * when its service already uses that id in the same scope.
 */
export class AutoscaledEndpoint extends Construct {
  /** What the core planned. */
  readonly plan: AutoscaledEndpointPlan;
  /** The Service clients inside the cluster use. */
  readonly serviceName: string;
  /** Namespace of the endpoint's objects. */
  readonly namespace: string;
  /**
   * DNS name of the NLB (a token reading the load balancer Service's `status.loadBalancer.ingress[0].hostname`);
   * undefined with `exposure: { type: "clusterIP" }`.
   */
  readonly hostname: string | undefined;
  /** Port the NLB listens on; undefined with `exposure: { type: "clusterIP" }`. */
  readonly port: number | undefined;
  /** Whether the NLB is `internal` or `internet-facing`; undefined with `exposure: { type: "clusterIP" }`. */
  readonly scheme: "internal" | "internet-facing" | undefined;
  /** HTTPS when the NLB terminates TLS, else HTTP; undefined with `exposure: { type: "clusterIP" }`. */
  readonly protocol: "HTTP" | "HTTPS" | undefined;
  /** Client ranges the NLB admits; undefined with `exposure: { type: "clusterIP" }`. */
  readonly sourceRanges: readonly string[] | undefined;
  /**
   * Figures derived from `capacity` (a MultiRegionFailover reads `requestsPerSecondAtMax` and
   * `peakRequestsPerSecond` for N+1); undefined without `capacity`.
   */
  readonly capacity: EndpointCapacity | undefined;

  /** @throws ValidationError (code `ONNXFLEET_INVALID_PROPS`) listing every invalid prop, before any child exists. */
  constructor(scope: Construct, id: string, props: AutoscaledEndpointProps) {
    const { service, providers, ...coreProps } = props ?? ({} as AutoscaledEndpointProps);
    const plan = planAutoscaledEndpoint(id, coreProps, service?.plan);
    // The pool must hold replicas.max pods beside every other construct's on it (#15 item 7).
    claimEndpointPoolGpus(plan, service.plan);
    super(scope, endpointNodeId(scope, id, service));
    this.plan = plan;
    this.serviceName = plan.clusterServiceName;
    this.namespace = asToken(plan.namespace);
    this.port = plan.loadBalancer?.port;
    this.scheme = plan.loadBalancer?.scheme;
    this.protocol = plan.loadBalancer?.protocol;
    this.sourceRanges = plan.loadBalancer?.sourceRanges;
    this.capacity = plan.capacity;

    createCloudResources(this, plan.cloudResources, providers);
    // The namespace labels the plan needs (the NLB's pod readiness gate), added to the existing namespace.
    for (const labels of plan.namespaceLabels)
      new Labels(this, labels.logicalName, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: asToken(labels.namespace) },
        labels: { ...labels.labels },
        ...(providers?.kubernetes ? { provider: providers.kubernetes } : {}),
      });
    const loadBalancer = plan.loadBalancer;
    const lbKey = loadBalancer ? kubernetesKey("Service", loadBalancer.serviceName) : undefined;
    const objects = createManifests(this, plan.kubernetesObjects, {
      ...(providers?.kubernetes ? { kubernetes: providers.kubernetes } : {}),
      // The autoscalers target the service's Deployments: create them once those exist.
      dependsOn: resourcesOf(service),
      waitFor: (object) =>
        kubernetesKey(object.kind, object.metadata.name) === lbKey
          ? { fields: { [HOSTNAME_FIELD]: "^.+$" } }
          : undefined,
    });
    const lbService = lbKey ? objects.get(lbKey) : undefined;
    if (loadBalancer && !lbService) {
      throw new Error(
        `onnxfleet/cdktf: planned load balancer Service "${loadBalancer.serviceName}" is missing`,
      );
    }
    this.hostname = lbService
      ? Token.asString(lbService.interpolationForAttribute(`object.${HOSTNAME_FIELD}`))
      : undefined;
  }
}
