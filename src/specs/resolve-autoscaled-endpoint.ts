/**
 * AutoscaledEndpoint props -> validated spec with defaults applied, checked against the ModelService's plan
 * (disruption budget, canary weights). Throws one ValidationError listing every problem.
 */
import type { EndpointCapacity } from "../capacity/endpoint-capacity";
import { isUnresolved } from "../lazy";
import { NAME_MAX_LENGTH } from "../naming";
import type { ModelServicePlan } from "../plan/model-service";
import { deregistrationDelaySeconds, MAX_DEREGISTRATION_DELAY_SECONDS } from "../plan/shutdown-timeline";
import { show, Validator } from "../validate";
import {
  type AutoscaledEndpointProps,
  type AutoscalerProps,
  AUTOSCALED_ENDPOINT_DEFAULTS as D,
  type ExposureProps,
  type ScalingTargetProps,
} from "./autoscaled-endpoint";
import { CAPACITY_PROP_NAMES } from "./capacity";
import {
  checkCidr,
  checkDns1035Label,
  checkIntegerRange,
  checkKnownKeys,
  checkMinMax,
  checkOneOf,
  checkRequiredOneOf,
  type MinMax,
  propNames,
} from "./common";
import { checkHandBounds, resolveCapacity } from "./resolve-capacity";

export const AUTOSCALED_ENDPOINT = "AutoscaledEndpoint";

/** Placeholders a custom KEDA query may use. */
export const QUERY_PLACEHOLDERS = { deployment: "{{deployment}}", namespace: "{{namespace}}" } as const;

export interface AutoscaledEndpointSpec {
  readonly name: string;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly inflightRequestsPerReplica: number;
  readonly autoscaler:
    | { readonly type: "hpa"; readonly cpuUtilizationPercent: number }
    | {
        readonly type: "keda";
        readonly prometheusServerAddress: string;
        readonly query?: string;
        readonly pollingIntervalSeconds: number;
        readonly cooldownSeconds: number;
      };
  readonly exposure:
    | { readonly type: "clusterIP" }
    | {
        readonly type: "nlb";
        readonly scheme: "internal" | "internet-facing";
        readonly port: number;
        readonly sourceRanges: readonly string[];
        readonly loadBalancerCidrs: readonly string[];
      };
  /** Figures derived from `capacity` (absent without it). */
  readonly capacity?: EndpointCapacity;
}

/** Validates and completes AutoscaledEndpoint props against the service it scales. */
export function resolveAutoscaledEndpointSpec(
  name: string,
  props: AutoscaledEndpointProps,
  service: ModelServicePlan,
): AutoscaledEndpointSpec {
  const check = new Validator(AUTOSCALED_ENDPOINT, name);
  checkDns1035Label(check, "name", name, NAME_MAX_LENGTH);
  if (props === null || typeof props !== "object") {
    check.add("props", `(${show(props)}) must be an object`);
    check.throwIfAny();
  }
  checkAutoscaledEndpointKeys(check, props);
  if (service === undefined || service === null || !Array.isArray(service.versions)) {
    check.add("service", `(${show(service)}) must be the plan of a ModelService`);
    check.throwIfAny();
  }
  // The autoscaler owns the Deployments' replica count: a planned spec.replicas would reset it on every
  // apply (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling).
  if (service.spec.replicas !== undefined)
    check.add(
      "service",
      `(ModelService ${show(service.name)}) sets replicas (${service.spec.replicas}), which this endpoint's ` +
        "autoscaler owns: every apply of its Deployments would reset the autoscaler's count; remove replicas " +
        "from the ModelService (this endpoint's replicas.min is the floor)",
    );
  const capacity = props.capacity === undefined ? undefined : resolveCapacity(check, props.capacity, service);
  const handReplicas = props.replicas;
  if (handReplicas === undefined && props.capacity === undefined)
    check.add(
      "replicas",
      "is required: { min, max } pods per model version, or give capacity to derive them",
    );
  const handReplicasOk = handReplicas !== undefined && checkMinMax(check, "replicas", handReplicas, 0, 1000);
  const replicas = handReplicas ?? capacity?.replicas;
  const replicasOk = handReplicas === undefined ? replicas !== undefined : handReplicasOk;

  const target = props.target;
  const handInflight = target?.inflightRequestsPerReplica;
  const inflight = handInflight ?? capacity?.inflightRequestsPerReplica;
  if (handInflight === undefined && props.capacity === undefined)
    check.add(
      "target.inflightRequestsPerReplica",
      "is required: the in-flight requests per pod to aim for, or give capacity to derive it",
    );
  else if (handInflight !== undefined)
    check.that(
      typeof inflight === "number" && Number.isFinite(inflight) && inflight >= 0.001 && inflight <= 100_000,
      "target.inflightRequestsPerReplica",
      `(${show(inflight)}) must be a number from 0.001 to 100000`,
    );
  if (capacity && !check.hasProblems)
    checkHandBounds(check, capacity, handReplicasOk ? handReplicas : undefined, handInflight);

  const autoscaler = resolveAutoscaler(check, props.autoscaler, props, service);
  const exposure = resolveExposure(check, props.exposure);

  if (replicasOk && replicas) {
    if (replicas.min === 0 && autoscaler.type === "hpa")
      check.add(
        "replicas.min",
        '(0) needs autoscaler { type: "keda" } (scale to zero); a HorizontalPodAutoscaler keeps at least 1 pod',
      );
    if (replicas.min === 0 && autoscaler.type === "keda" && autoscaler.query === undefined)
      check.add(
        "autoscaler.query",
        "is required with replicas.min 0: at zero pods the server's in-flight gauge does not exist, so give a " +
          "query measuring demand upstream (a gateway or load balancer metric)",
      );
    const budget = service.disruptionBudget;
    if ("minAvailable" in budget) {
      const lowest = Math.max(replicas.min, 1);
      check.that(
        budget.minAvailable < lowest,
        "replicas.min",
        `(${replicas.min}) leaves the ModelService's disruptionBudget.minAvailable (${budget.minAvailable}) ` +
          `blocking every eviction at ${lowest} pod(s); raise replicas.min above ${budget.minAvailable} or ` +
          "use disruptionBudget { maxUnavailable: 1 }",
      );
    }
  }
  if (exposure.type === "nlb") {
    // The NLB keeps a draining target for the pods' whole shutdown (src/plan/shutdown-timeline.ts), which a
    // target group caps at 3600 s.
    const delay = deregistrationDelaySeconds(service.shutdown);
    check.that(
      delay <= MAX_DEREGISTRATION_DELAY_SECONDS,
      "exposure",
      `("nlb") needs a deregistration delay of the ModelService's shutdown.preStopSleepSeconds + ` +
        `shutdown.shutdownTimeoutSeconds (${service.shutdown.preStopSleepSeconds} + ` +
        `${service.shutdown.shutdownTimeoutSeconds} = ${delay} s), above the ${MAX_DEREGISTRATION_DELAY_SECONDS} s ` +
        "a target group allows; shorten the service's shutdown timings",
    );
  }
  if (exposure.type === "nlb" && service.spec.weightedVersions && service.versions.length > 1) {
    const weights = service.versions.map((v) => v.weightPercent).join("/");
    check.add(
      "exposure.type",
      `("nlb") would spread requests over the versions by pod count and ignore their weights (${weights}); ` +
        'expose the service through its Gateway (HTTPRoute) and use exposure { type: "clusterIP" }',
    );
  }

  check.throwIfAny();
  return {
    name,
    replicas: replicas as { min: number; max: number },
    inflightRequestsPerReplica: inflight as number,
    autoscaler,
    exposure,
    ...(capacity ? { capacity } : {}),
  };
}

function resolveAutoscaler(
  check: Validator,
  autoscaler: AutoscalerProps | undefined,
  props: AutoscaledEndpointProps,
  service: ModelServicePlan,
): AutoscaledEndpointSpec["autoscaler"] {
  const cpu = props.target?.cpuUtilizationPercent;
  if (autoscaler === undefined || autoscaler.type === "hpa") {
    const cpuUtilizationPercent = cpu ?? D.cpuUtilizationPercent;
    checkIntegerRange(check, "target.cpuUtilizationPercent", cpuUtilizationPercent, 1, 1000);
    return { type: "hpa", cpuUtilizationPercent };
  }
  if (!checkRequiredOneOf(check, "autoscaler.type", autoscaler.type, ["hpa", "keda"]))
    return { type: "hpa", cpuUtilizationPercent: D.cpuUtilizationPercent };
  if (cpu !== undefined)
    check.add(
      "target.cpuUtilizationPercent",
      `(${show(cpu)}) applies only to autoscaler { type: "hpa" }; the KEDA autoscaler scales on its query`,
    );
  const address = autoscaler.prometheusServerAddress;
  if (!isUnresolved(address))
    check.that(
      typeof address === "string" && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(address),
      "autoscaler.prometheusServerAddress",
      `(${show(address)}) must be an http(s) URL such as "http://prometheus.monitoring.svc:9090"`,
    );
  const query = autoscaler.query;
  if (query !== undefined) {
    check.that(
      typeof query === "string" && query.trim().length > 0,
      "autoscaler.query",
      `(${show(query)}) must be a non-empty PromQL query`,
    );
  }
  const needsNamespace =
    query === undefined || (typeof query === "string" && query.includes("{{namespace}}"));
  if (needsNamespace && isUnresolved(service.namespace))
    check.add(
      "autoscaler.query",
      "needs the ModelService's namespace, which is not known until deployment: give the namespace as a " +
        "plain string, or a query without {{namespace}}",
    );
  const pollingIntervalSeconds = autoscaler.pollingIntervalSeconds ?? D.kedaPollingIntervalSeconds;
  const cooldownSeconds = autoscaler.cooldownSeconds ?? D.kedaCooldownSeconds;
  checkIntegerRange(check, "autoscaler.pollingIntervalSeconds", pollingIntervalSeconds, 1, 3600);
  checkIntegerRange(check, "autoscaler.cooldownSeconds", cooldownSeconds, 0, 86_400);
  return {
    type: "keda",
    prometheusServerAddress: address,
    ...(query !== undefined ? { query } : {}),
    pollingIntervalSeconds,
    cooldownSeconds,
  };
}

function resolveExposure(
  check: Validator,
  exposure: ExposureProps | undefined,
): AutoscaledEndpointSpec["exposure"] {
  if (exposure === undefined) return { type: "clusterIP" };
  if (
    !checkRequiredOneOf(check, "exposure.type", exposure.type, ["clusterIP", "nlb"]) ||
    exposure.type === "clusterIP"
  )
    return { type: "clusterIP" };
  const scheme = exposure.scheme ?? D.nlbScheme;
  checkOneOf(check, "exposure.scheme", scheme, ["internal", "internet-facing"]);
  const port = exposure.port ?? D.nlbPort;
  checkIntegerRange(check, "exposure.port", port, 1, 65_535);
  const sourceRanges = exposure.sourceRanges ?? D.nlbSourceRanges;
  const loadBalancerCidrs = exposure.loadBalancerCidrs ?? D.nlbLoadBalancerCidrs;
  checkCidrList(check, "exposure.sourceRanges", sourceRanges);
  checkCidrList(check, "exposure.loadBalancerCidrs", loadBalancerCidrs);
  return { type: "nlb", scheme, port, sourceRanges, loadBalancerCidrs };
}

function checkCidrList(check: Validator, path: string, cidrs: readonly string[]): void {
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    check.add(path, `(${show(cidrs)}) must list at least one CIDR range, e.g. ["10.0.0.0/16"]`);
    return;
  }
  cidrs.forEach((cidr, i) => {
    checkCidr(check, `${path}[${i}]`, cidr);
  });
}

const AUTOSCALED_ENDPOINT_PROPS = propNames<AutoscaledEndpointProps>({
  replicas: true,
  target: true,
  autoscaler: true,
  exposure: true,
  capacity: true,
});
const ENDPOINT_NESTED_PROPS: Readonly<Record<string, readonly string[]>> = {
  replicas: propNames<MinMax>({ min: true, max: true }),
  capacity: CAPACITY_PROP_NAMES,
  target: propNames<ScalingTargetProps>({ inflightRequestsPerReplica: true, cpuUtilizationPercent: true }),
  // Any autoscaler or exposure type: a key of another type is left to the type's own check.
  autoscaler: propNames<AutoscalerProps>({
    type: true,
    prometheusServerAddress: true,
    query: true,
    pollingIntervalSeconds: true,
    cooldownSeconds: true,
  }),
  exposure: propNames<ExposureProps>({
    type: true,
    scheme: true,
    port: true,
    sourceRanges: true,
    loadBalancerCidrs: true,
  }),
};

/** Records a problem for every key of `props` (at any level) that an AutoscaledEndpoint does not know. */
function checkAutoscaledEndpointKeys(check: Validator, props: AutoscaledEndpointProps): void {
  checkKnownKeys(check, "", props, AUTOSCALED_ENDPOINT_PROPS);
  const record = props as unknown as Record<string, unknown>;
  for (const [prop, known] of Object.entries(ENDPOINT_NESTED_PROPS))
    checkKnownKeys(check, prop, record[prop], known);
}
