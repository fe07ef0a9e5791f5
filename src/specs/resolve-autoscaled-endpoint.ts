/**
 * AutoscaledEndpoint props -> validated spec with defaults applied, checked against the ModelService's plan
 * (disruption budget, canary weights). Throws one ValidationError listing every problem.
 */
import type { EndpointCapacity } from "../capacity/endpoint-capacity";
import { route53HealthCheckerRanges } from "../catalog/route53-health-checkers";
import { isUnresolved, type Lazy } from "../lazy";
import { NAME_MAX_LENGTH } from "../naming";
import type { ModelServicePlan } from "../plan/model-service";
import { deregistrationDelaySeconds, MAX_DEREGISTRATION_DELAY_SECONDS } from "../plan/shutdown-timeline";
import { show, Validator } from "../validate";
import {
  ANYWHERE,
  AUTOSCALER_TYPES,
  type AutoscaledEndpointProps,
  type AutoscalerProps,
  AUTOSCALED_ENDPOINT_DEFAULTS as D,
  ENDPOINT_SCHEMES,
  type EndpointScheme,
  EXPOSURE_TYPES,
  type ExposureProps,
  type NlbExposureProps,
  type NlbTlsProps,
  PLAINTEXT,
  type ScalingTargetProps,
} from "./autoscaled-endpoint";
import { CAPACITY_PROP_NAMES } from "./capacity";
import { isWholeInternetCidr, WHOLE_INTERNET_CIDRS } from "./cidr";
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
import { checkPodsFitPool } from "./pool-fit";
import { checkHandBounds, resolveCapacity } from "./resolve-capacity";

/** The construct's name in error messages: `AutoscaledEndpoint "name": path reason`. */
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
  readonly exposure: { readonly type: "clusterIP" } | NlbExposureSpec;
  /** Figures derived from `capacity` (absent without it). */
  readonly capacity?: EndpointCapacity;
}

/** A validated NLB exposure. */
export interface NlbExposureSpec {
  readonly type: "nlb";
  readonly scheme: EndpointScheme;
  readonly port: number;
  /** The ranges planned on the load balancer: `0.0.0.0/0` only after the `"anywhere"` opt-out. */
  readonly sourceRanges: readonly string[];
  /** True when the user opted out of source filtering with `sourceRanges: "anywhere"`. */
  readonly sourceRangesAnywhere: boolean;
  /** True when the Route53 health checkers' ranges were added to `sourceRanges`. */
  readonly admitRoute53HealthCheckers: boolean;
  readonly loadBalancerCidrs: readonly string[];
  /** TLS on the listener; absent for plain HTTP (internal, or the `tls: "none"` opt-out). */
  readonly tls?: { readonly certificateArn: Lazy<string>; readonly sslPolicy: string };
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
  const exposure = resolveExposure(check, props.exposure, service);

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
    // At zero pods the NLB's target group has no targets, so the first requests fail until a pod is ready;
    // only a proxy that holds requests during the cold start (KEDA's HTTP add-on interceptor:
    // https://keda.sh/http-add-on/0.14/concepts/architecture/) makes scale-to-zero safe to expose.
    if (replicas.min === 0 && exposure.type === "nlb")
      check.add(
        "replicas.min",
        "(0) behind an NLB leaves the load balancer with no targets while scaled to zero, so the first " +
          "requests fail until a pod is ready; use replicas.min 1 or more, or expose the service with " +
          'exposure { type: "clusterIP" } behind KEDA\'s HTTP add-on interceptor, which holds requests during ' +
          "the scale-up",
      );
    // Nothing adds nodes beyond the pool's nodes.max: pods past it stay Pending (#15 item 7).
    checkPodsFitPool(
      check,
      {
        path: "replicas.max",
        perVersion: replicas.max,
        versions: service.versions.length,
        gpusPerPod: service.spec.resources.gpu,
        serviceName: service.name,
      },
      service.spec.binding,
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
  if (!checkRequiredOneOf(check, "autoscaler.type", autoscaler.type, AUTOSCALER_TYPES))
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
  service: ModelServicePlan,
): AutoscaledEndpointSpec["exposure"] {
  if (exposure === undefined) return { type: "clusterIP" };
  if (
    !checkRequiredOneOf(check, "exposure.type", exposure.type, EXPOSURE_TYPES) ||
    exposure.type === "clusterIP"
  )
    return { type: "clusterIP" };
  const scheme = exposure.scheme ?? D.nlbScheme;
  checkOneOf(check, "exposure.scheme", scheme, ENDPOINT_SCHEMES);
  const internetFacing = scheme === "internet-facing";
  const tls = resolveTls(check, exposure.tls, internetFacing);
  const port = exposure.port ?? (tls ? D.nlbTlsPort : D.nlbPort);
  checkIntegerRange(check, "exposure.port", port, 1, 65_535);
  const loadBalancerCidrs = exposure.loadBalancerCidrs;
  if (loadBalancerCidrs === undefined)
    check.add(
      "exposure.loadBalancerCidrs",
      'is required: the VPC\'s CIDR (e.g. ["10.0.0.0/16"]), which the load balancer connects to the pods ' +
        "from; the pods' NetworkPolicy admits only these ranges",
    );
  else if (checkCidrList(check, "exposure.loadBalancerCidrs", loadBalancerCidrs))
    loadBalancerCidrs.forEach((cidr, i) => {
      check.that(
        isUnresolved(cidr) || !isWholeInternetCidr(cidr),
        `exposure.loadBalancerCidrs[${i}]`,
        `(${show(cidr)}) would admit every source, every pod of the cluster included; give the VPC's CIDR ` +
          '(e.g. "10.0.0.0/16"): with IP targets the load balancer connects from its own private addresses',
      );
    });
  const admitRoute53HealthCheckers = exposure.admitRoute53HealthCheckers ?? false;
  check.that(
    typeof admitRoute53HealthCheckers === "boolean",
    "exposure.admitRoute53HealthCheckers",
    `(${show(admitRoute53HealthCheckers)}) must be true or false`,
  );
  const given = exposure.sourceRanges;
  const sourceRangesAnywhere = given === ANYWHERE;
  let sourceRanges: readonly string[] = [];
  if (sourceRangesAnywhere) sourceRanges = [WHOLE_INTERNET_CIDRS[0]];
  else if (given === undefined) {
    if (internetFacing)
      check.add(
        "exposure.sourceRanges",
        "is required for an internet-facing endpoint: list the client ranges allowed in, e.g. " +
          '["203.0.113.0/24"], or write "anywhere" to admit the whole internet',
      );
    else sourceRanges = loadBalancerCidrs ?? [];
  } else if (checkCidrList(check, "exposure.sourceRanges", given)) {
    given.forEach((cidr, i) => {
      check.that(
        isUnresolved(cidr) || !isWholeInternetCidr(cidr),
        `exposure.sourceRanges[${i}]`,
        `(${show(cidr)}) admits the whole internet; if that is meant, write sourceRanges: "anywhere"`,
      );
    });
    sourceRanges = given;
  }
  if (admitRoute53HealthCheckers && !sourceRangesAnywhere)
    sourceRanges = [...new Set([...sourceRanges, ...route53HealthCheckerRanges()])];
  if (internetFacing) {
    const auth = service.spec.auth;
    check.that(
      auth.type !== "unset",
      "service.auth",
      `is not set on ModelService ${show(service.name)}, and an internet-facing endpoint would let anyone run ` +
        'inferences: give the service auth { tokenSecret: { name, key } }, or auth "none" to opt out',
    );
  }
  return {
    type: "nlb",
    scheme,
    port,
    sourceRanges,
    sourceRangesAnywhere,
    admitRoute53HealthCheckers,
    loadBalancerCidrs: loadBalancerCidrs ?? [],
    ...(tls ? { tls } : {}),
  };
}

const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;
const TLS13_POLICY = /^ELBSecurityPolicy-TLS13-[\w-]+$/;

/**
 * TLS of the listener. Internet-facing needs it or the `"none"` opt-out. Without an ssl-negotiation-policy
 * annotation the controller uses ELBSecurityPolicy-2016-08 (TLS 1.0 up), hence the TLS 1.3 default; see
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/v2.7/guide/service/annotations/ and
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html.
 */
function resolveTls(
  check: Validator,
  tls: NlbExposureProps["tls"],
  internetFacing: boolean,
): NlbExposureSpec["tls"] {
  if (tls === PLAINTEXT) return undefined;
  if (tls === undefined) {
    if (internetFacing)
      check.add(
        "exposure.tls",
        "is required for an internet-facing endpoint: give { certificateArn } (an ACM certificate for the " +
          'name clients use) so the load balancer terminates TLS, or write tls: "none" to serve plain HTTP',
      );
    return undefined;
  }
  if (tls === null || typeof tls !== "object") {
    check.add("exposure.tls", `(${show(tls)}) must be { certificateArn } or "none"`);
    return undefined;
  }
  checkKnownKeys(
    check,
    "exposure.tls",
    tls,
    propNames<NlbTlsProps>({ certificateArn: true, sslPolicy: true }),
  );
  if (tls.certificateArn === undefined)
    check.add("exposure.tls.certificateArn", "is required: the ARN of an ACM certificate");
  check.ifKnown(tls.certificateArn, (arn) =>
    check.that(
      typeof arn === "string" && ACM_CERTIFICATE_ARN.test(arn),
      "exposure.tls.certificateArn",
      `(${show(arn)}) must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>`,
    ),
  );
  const sslPolicy = tls.sslPolicy ?? D.nlbSslPolicy;
  check.that(
    typeof sslPolicy === "string" && TLS13_POLICY.test(sslPolicy),
    "exposure.tls.sslPolicy",
    `(${show(sslPolicy)}) must be a TLS 1.3 security policy such as "${D.nlbSslPolicy}"`,
  );
  return { certificateArn: tls.certificateArn, sslPolicy };
}

function checkCidrList(check: Validator, path: string, cidrs: readonly string[]): boolean {
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    check.add(path, `(${show(cidrs)}) must list at least one CIDR range, e.g. ["10.0.0.0/16"]`);
    return false;
  }
  let ok = true;
  cidrs.forEach((cidr, i) => {
    ok = checkCidr(check, `${path}[${i}]`, cidr) && ok;
  });
  return ok;
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
    admitRoute53HealthCheckers: true,
    tls: true,
  }),
};

/** Records a problem for every key of `props` (at any level) that an AutoscaledEndpoint does not know. */
function checkAutoscaledEndpointKeys(check: Validator, props: AutoscaledEndpointProps): void {
  checkKnownKeys(check, "", props, AUTOSCALED_ENDPOINT_PROPS);
  const record = props as unknown as Record<string, unknown>;
  for (const [prop, known] of Object.entries(ENDPOINT_NESTED_PROPS))
    checkKnownKeys(check, prop, record[prop], known);
}
