/**
 * ModelService props -> validated spec with every default applied. All problems are collected and thrown
 * at once as a ValidationError; unresolved values (Pulumi Outputs, CDKTF tokens) pass through unchecked.
 */
import { isUnresolved, type Lazy } from "../lazy";
import { NAME_MAX_LENGTH } from "../naming";
import { SERVER_BATCHING_DEFAULTS } from "../plan/server-contract";
import { defaultTerminationGracePeriodSeconds, serverExitDeadlineSeconds } from "../plan/shutdown-timeline";
import type { NodePoolBinding } from "../plan/types";
import { defaultServerImage, IMAGE_DIGEST_PATTERN } from "../server-image";
import { show, Validator } from "../validate";
import { VERSION } from "../version";
import {
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkIamRoleArn,
  checkIntegerRange,
  checkLabels,
  checkNumberRange,
  checkOneOf,
  checkPodIngressCidr,
  checkQuantity,
  checkRequiredOneOf,
  parseQuantity,
  type Quantity,
} from "./common";
import { type GatewayDataPlaneSpec, resolveGatewayDataPlane } from "./gateway-data-plane";
import {
  MODEL_SERVICE_DEFAULTS as D,
  type DisruptionBudgetProps,
  type ModelServiceProps,
  type ModelStorageProps,
  SPREAD_MODES,
  type SpreadMode,
} from "./model-service";
import { checkModelServiceKeys } from "./model-service-keys";
import {
  type AlertsSpec,
  type DashboardSpec,
  resolveAlerts,
  resolveDashboard,
} from "./model-service-observability";
import { checkPodsFitPool } from "./pool-fit";
import { type AuthSpec, resolveAuth, resolveKmsKeyArn } from "./resolve-auth";
import { type ModelVersionSpec, resolveModel } from "./resolve-model";

/** The construct's name in error messages: `ModelService "name": path reason`. */
export const MODEL_SERVICE = "ModelService";

export type { ModelVersionSpec };

/** A ModelService's props, validated, with every default applied. */
export interface ModelServiceSpec {
  readonly name: string;
  readonly namespace: Lazy<string>;
  readonly modelName: string;
  readonly versions: readonly ModelVersionSpec[];
  /** True when `model.versions` was given: per-version Services and a weighted HTTPRoute are planned. */
  readonly weightedVersions: boolean;
  readonly image: Lazy<string>;
  /** Pods per version; undefined: the Deployments carry no `spec.replicas` (an autoscaler owns the count). */
  readonly replicas?: number;
  readonly resources: {
    readonly gpu: number;
    /** Extended resource name of the GPUs (the binding's, or `nvidia.com/gpu`). */
    readonly gpuResourceName: string;
    readonly cpu: Quantity;
    readonly cpuLimit?: Quantity;
    readonly memory: Quantity;
    readonly memoryLimit: Quantity;
  };
  /** Effective batching: the props' settings over the server's defaults (`SERVER_BATCHING_DEFAULTS`). */
  readonly batching: { readonly maxBatchSize: number; readonly maxQueueDelayMs: number };
  readonly modelStorage:
    | { readonly type: "emptyDir"; readonly sizeLimit: Quantity }
    | { readonly type: "persistentVolumeClaim"; readonly claimName: Lazy<string> };
  readonly modelLoadTimeoutSeconds: number;
  readonly shutdown: {
    readonly preStopSleepSeconds: number;
    readonly drainDelaySeconds: number;
    readonly shutdownTimeoutSeconds: number;
    readonly terminationGracePeriodSeconds: number;
  };
  readonly topologySpread: { readonly zones: SpreadMode; readonly hosts: SpreadMode };
  readonly disruptionBudget: { readonly maxUnavailable: number } | { readonly minAvailable: number };
  readonly allowedSources: {
    readonly sameNamespace: boolean;
    readonly namespaces: readonly string[];
    readonly cidrs: readonly string[];
  };
  readonly monitoring: {
    readonly namespace: string;
    readonly serviceMonitor: boolean;
    readonly serviceMonitorLabels: Readonly<Record<string, string>>;
    readonly scrapeIntervalSeconds: number;
    /** The PrometheusRule's settings (`enabled: false` plans none). */
    readonly alerts: AlertsSpec;
    /** The Grafana dashboard ConfigMap's settings (`enabled: false` plans none). */
    readonly dashboard: DashboardSpec;
  };
  readonly gateway?: {
    readonly name: string;
    readonly namespace?: Lazy<string>;
    readonly sectionName?: string;
    /** Where the Gateway's proxies send from (admitted by the NetworkPolicy). */
    readonly dataPlane: GatewayDataPlaneSpec;
  };
  readonly serviceAccountRoleArn?: Lazy<string>;
  /** Who may infer (see {@link AuthSpec}); the token's value is never part of the spec. */
  readonly auth: AuthSpec;
  /** KMS key of the model's SSE-KMS bucket, decrypted through S3 only. */
  readonly kmsKeyArn?: string;
  readonly binding?: NodePoolBinding;
}

export { defaultServerImage };

const IMAGE_REFERENCE =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?$/;

/** Validates and completes ModelService props; throws one ValidationError listing every problem. */
export function resolveModelServiceSpec(
  name: string,
  props: ModelServiceProps,
  binding?: NodePoolBinding,
): ModelServiceSpec {
  const check = new Validator(MODEL_SERVICE, name);
  checkDns1035Label(check, "name", name, NAME_MAX_LENGTH);
  if (props === null || typeof props !== "object") {
    check.add("props", `(${show(props)}) must be an object`);
    check.throwIfAny();
  }
  checkModelServiceKeys(check, props);
  const namespace = props.namespace ?? D.namespace;
  checkDns1123Label(check, "namespace", namespace);

  const { modelName, versions, weightedVersions } = resolveModel(check, props);
  const resources = resolveResources(check, props, binding);
  // gpu > 0 runs `--execution-provider cuda`, which only the CUDA flavour can load.
  const image = props.image ?? defaultServerImage(resources.gpu > 0 ? "cuda" : "cpu");
  checkImage(check, image);
  const replicas = props.replicas;
  if (replicas !== undefined && checkIntegerRange(check, "replicas", replicas, 0, 1000))
    checkPodsFitPool(
      check,
      {
        path: "replicas",
        perVersion: replicas,
        versions: versions.length,
        gpusPerPod: resources.gpu,
        serviceName: name,
      },
      binding,
    );

  const batching = resolveBatching(check, props);
  const modelStorage = resolveModelStorage(check, props.modelStorage);
  const modelLoadTimeoutSeconds = props.modelLoadTimeoutSeconds ?? D.modelLoadTimeoutSeconds;
  checkIntegerRange(check, "modelLoadTimeoutSeconds", modelLoadTimeoutSeconds, 10, 86_400);
  const shutdown = resolveShutdown(check, props);
  const topologySpread = {
    zones: props.topologySpread?.zones ?? D.zones,
    hosts: props.topologySpread?.hosts ?? D.hosts,
  };
  checkOneOf(check, "topologySpread.zones", topologySpread.zones, SPREAD_MODES);
  checkOneOf(check, "topologySpread.hosts", topologySpread.hosts, SPREAD_MODES);
  const disruptionBudget = resolveDisruptionBudget(check, props.disruptionBudget, replicas);
  const allowedSources = resolveAllowedSources(check, props);
  const monitoring = resolveMonitoring(check, props, batching?.maxBatchSize);
  const gatewayProps = props.gateway;
  const gateway =
    gatewayProps === undefined
      ? undefined
      : {
          name: gatewayProps.name,
          ...(gatewayProps.namespace !== undefined ? { namespace: gatewayProps.namespace } : {}),
          ...(gatewayProps.sectionName !== undefined ? { sectionName: gatewayProps.sectionName } : {}),
          dataPlane: resolveGatewayDataPlane(
            check,
            gatewayProps.dataPlane,
            gatewayProps.namespace ?? namespace,
          ),
        };
  if (gateway !== undefined) {
    checkDns1123Subdomain(check, "gateway.name", gateway.name);
    checkDns1123Label(check, "gateway.namespace", gateway.namespace);
    if (gateway.sectionName !== undefined)
      checkDns1123Subdomain(check, "gateway.sectionName", gateway.sectionName);
  } else if (weightedVersions) {
    check.add(
      "gateway",
      "is required with model.versions: the weighted HTTPRoute must attach to a Gateway { name, namespace }",
    );
  }
  const roleArn = props.serviceAccountRoleArn;
  checkIamRoleArn(check, "serviceAccountRoleArn", roleArn);
  const auth = resolveAuth(check, name, props.auth);
  const kmsKeyArn = resolveKmsKeyArn(check, props);

  check.throwIfAny();
  return {
    name,
    namespace,
    modelName,
    versions,
    weightedVersions,
    image,
    ...(replicas !== undefined ? { replicas } : {}),
    resources,
    batching,
    modelStorage,
    modelLoadTimeoutSeconds,
    shutdown,
    topologySpread,
    disruptionBudget,
    allowedSources,
    monitoring,
    ...(gateway ? { gateway } : {}),
    ...(roleArn !== undefined ? { serviceAccountRoleArn: roleArn } : {}),
    auth,
    ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
    ...(binding ? { binding } : {}),
  };
}

function checkImage(check: Validator, image: Lazy<string>): void {
  if (isUnresolved(image)) return;
  if (typeof image !== "string") {
    check.add("image", `(${show(image)}) must be a string`);
    return;
  }
  const at = image.indexOf("@");
  const reference = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const referenceOk = IMAGE_REFERENCE.test(reference);
  const digestOk = digest === undefined || IMAGE_DIGEST_PATTERN.test(digest);
  check.that(
    referenceOk && digestOk,
    "image",
    `(${show(image)}) must be an image reference such as "ghcr.io/onnxfleet/onnxfleet-server:${VERSION}" or, ` +
      'recommended, "<repository>@sha256:<64 lowercase hex digits>"',
  );
}

function resolveResources(
  check: Validator,
  props: ModelServiceProps,
  binding: NodePoolBinding | undefined,
): ModelServiceSpec["resources"] {
  const r = props.resources ?? {};
  const gpu = r.gpu ?? D.gpu;
  const gpuOk = checkIntegerRange(check, "resources.gpu", gpu, 0, 64);
  // A GPU pod needs the pool's node selector and tolerations, or it never lands on a tainted GPU node; a CPU
  // pod on a GPU pool runs CPU inference on GPU nodes. Both are refused with the fix named.
  if (gpuOk && gpu > 0 && !binding)
    check.add(
      "resources.gpu",
      `(${gpu}) asks for GPUs but the service has no nodePool: without the pool's node selector and ` +
        "tolerations the pods cannot land on its tainted GPU nodes; set nodePool to a GpuNodePool, or set " +
        "gpu to 0 to run on CPU nodes",
    );
  if (gpuOk && gpu === 0 && binding && binding.gpusPerNode > 0)
    check.add(
      "resources.gpu",
      `(0) would run CPU inference on the GPU nodes of node pool ${show(binding.poolName)}; set gpu to 1 ` +
        `(up to ${binding.gpusPerNode}) to use them, or drop nodePool to run on CPU nodes`,
    );
  if (gpuOk && gpu > 0 && binding) {
    if (binding.gpusPerNode === 0) {
      check.add(
        "resources.gpu",
        `(${gpu}) asks for GPUs but node pool ${show(binding.poolName)} has none; bind a GPU node pool or set gpu to 0`,
      );
    } else if (gpu > binding.gpusPerNode) {
      check.add(
        "resources.gpu",
        `(${gpu}) exceeds the ${binding.gpusPerNode} GPU(s) per node of node pool ${show(binding.poolName)}; ` +
          `ask for at most ${binding.gpusPerNode} or use larger instance types`,
      );
    }
  }
  const cpu = r.cpu ?? D.cpu;
  const memory = r.memory ?? D.memory;
  const memoryLimit = r.memoryLimit ?? memory;
  checkQuantity(check, "resources.cpu", cpu);
  checkQuantity(check, "resources.memory", memory);
  if (r.cpuLimit !== undefined && checkQuantity(check, "resources.cpuLimit", r.cpuLimit))
    checkNotBelow(check, "resources.cpuLimit", r.cpuLimit, "resources.cpu", cpu);
  if (r.memoryLimit !== undefined && checkQuantity(check, "resources.memoryLimit", r.memoryLimit))
    checkNotBelow(check, "resources.memoryLimit", r.memoryLimit, "resources.memory", memory);
  return {
    gpu,
    gpuResourceName: binding?.gpuResourceName ?? "nvidia.com/gpu",
    cpu,
    ...(r.cpuLimit !== undefined ? { cpuLimit: r.cpuLimit } : {}),
    memory,
    memoryLimit,
  };
}

function checkNotBelow(
  check: Validator,
  path: string,
  limit: string,
  requestPath: string,
  request: string,
): void {
  const l = parseQuantity(limit);
  const q = parseQuantity(request);
  if (l === undefined || q === undefined) return;
  check.that(l >= q, path, `(${show(limit)}) must not be below ${requestPath} (${show(request)})`);
}

function resolveBatching(check: Validator, props: ModelServiceProps): ModelServiceSpec["batching"] {
  const b = props.batching ?? {};
  // Key by key over the server's defaults: maxBatchSize alone keeps the server's hold-back, not 0.
  const maxBatchSize = b.maxBatchSize ?? SERVER_BATCHING_DEFAULTS.maxBatchSize;
  const maxQueueDelayMs = b.maxQueueDelayMs ?? SERVER_BATCHING_DEFAULTS.maxQueueDelayMicroseconds / 1000;
  checkIntegerRange(check, "batching.maxBatchSize", maxBatchSize, 1, 65_536);
  checkNumberRange(check, "batching.maxQueueDelayMs", maxQueueDelayMs, 0, 1000);
  return { maxBatchSize, maxQueueDelayMs };
}

function resolveModelStorage(
  check: Validator,
  storage: ModelStorageProps | undefined,
): ModelServiceSpec["modelStorage"] {
  if (storage === undefined) return { type: "emptyDir", sizeLimit: D.modelStorageSizeLimit };
  if (!checkRequiredOneOf(check, "modelStorage.type", storage.type, ["emptyDir", "persistentVolumeClaim"]))
    return { type: "emptyDir", sizeLimit: D.modelStorageSizeLimit };
  if (storage.type === "persistentVolumeClaim") {
    if (storage.claimName === undefined) check.add("modelStorage.claimName", "is required: the claim's name");
    else checkDns1123Subdomain(check, "modelStorage.claimName", storage.claimName);
    return { type: "persistentVolumeClaim", claimName: storage.claimName };
  }
  const sizeLimit = storage.sizeLimit ?? D.modelStorageSizeLimit;
  checkQuantity(check, "modelStorage.sizeLimit", sizeLimit);
  return { type: "emptyDir", sizeLimit };
}

function resolveShutdown(check: Validator, props: ModelServiceProps): ModelServiceSpec["shutdown"] {
  const s = props.shutdown ?? {};
  const preStopSleepSeconds = s.preStopSleepSeconds ?? D.preStopSleepSeconds;
  const drainDelaySeconds = s.drainDelaySeconds ?? D.drainDelaySeconds;
  const shutdownTimeoutSeconds = s.shutdownTimeoutSeconds ?? D.shutdownTimeoutSeconds;
  const okPreStop = checkIntegerRange(check, "shutdown.preStopSleepSeconds", preStopSleepSeconds, 0, 600);
  const okDrain = checkIntegerRange(check, "shutdown.drainDelaySeconds", drainDelaySeconds, 0, 3600);
  const okTimeout = checkIntegerRange(
    check,
    "shutdown.shutdownTimeoutSeconds",
    shutdownTimeoutSeconds,
    1,
    3600,
  );
  if (okDrain && okTimeout)
    check.that(
      drainDelaySeconds < shutdownTimeoutSeconds,
      "shutdown.drainDelaySeconds",
      `(${drainDelaySeconds}) must be less than shutdown.shutdownTimeoutSeconds (${shutdownTimeoutSeconds}), ` +
        "or in-flight requests get no time to finish after the drain",
    );
  const terminationGracePeriodSeconds =
    s.terminationGracePeriodSeconds ??
    defaultTerminationGracePeriodSeconds({ preStopSleepSeconds, shutdownTimeoutSeconds });
  if (
    checkIntegerRange(
      check,
      "shutdown.terminationGracePeriodSeconds",
      terminationGracePeriodSeconds,
      1,
      7200,
    ) &&
    okPreStop &&
    okTimeout
  ) {
    const needed = serverExitDeadlineSeconds({ preStopSleepSeconds, shutdownTimeoutSeconds });
    check.that(
      terminationGracePeriodSeconds > needed,
      "shutdown.terminationGracePeriodSeconds",
      `(${terminationGracePeriodSeconds}) must exceed preStopSleepSeconds + shutdownTimeoutSeconds ` +
        `(${preStopSleepSeconds} + ${shutdownTimeoutSeconds} = ${needed}), or the kubelet kills the server ` +
        `before its own deadline; use at least ${needed + 1}`,
    );
  }
  return { preStopSleepSeconds, drainDelaySeconds, shutdownTimeoutSeconds, terminationGracePeriodSeconds };
}

function resolveDisruptionBudget(
  check: Validator,
  budget: DisruptionBudgetProps | undefined,
  replicas: number | undefined,
): ModelServiceSpec["disruptionBudget"] {
  if (budget === undefined) return { maxUnavailable: D.maxUnavailable };
  const hasMax = budget.maxUnavailable !== undefined;
  const hasMin = budget.minAvailable !== undefined;
  if (hasMax === hasMin) {
    check.add("disruptionBudget", `(${show(budget)}) must set exactly one of maxUnavailable, minAvailable`);
    return { maxUnavailable: D.maxUnavailable };
  }
  if (budget.maxUnavailable !== undefined) {
    check.that(
      budget.maxUnavailable !== 0,
      "disruptionBudget.maxUnavailable",
      "(0) would block every voluntary eviction (node drains, upgrades); use 1 or more",
    ) && checkIntegerRange(check, "disruptionBudget.maxUnavailable", budget.maxUnavailable, 1, 1000);
    return { maxUnavailable: budget.maxUnavailable };
  }
  const minAvailable = budget.minAvailable as number;
  // Without replicas the autoscaler's replicas.min is the floor: the AutoscaledEndpoint checks it.
  if (
    checkIntegerRange(check, "disruptionBudget.minAvailable", minAvailable, 0, 1000) &&
    replicas !== undefined &&
    replicas >= 1
  )
    check.that(
      minAvailable < replicas,
      "disruptionBudget.minAvailable",
      `(${minAvailable}) must be less than replicas (${replicas}), or no pod can ever be evicted and node ` +
        "drains block",
    );
  return { minAvailable };
}

function resolveAllowedSources(
  check: Validator,
  props: ModelServiceProps,
): ModelServiceSpec["allowedSources"] {
  const a = props.allowedSources ?? {};
  const namespaces = a.namespaces ?? [];
  const cidrs = a.cidrs ?? [];
  namespaces.forEach((ns, i) => {
    checkDns1123Label(check, `allowedSources.namespaces[${i}]`, ns);
  });
  cidrs.forEach((cidr, i) => {
    checkPodIngressCidr(check, `allowedSources.cidrs[${i}]`, cidr);
  });
  return { sameNamespace: a.sameNamespace ?? true, namespaces, cidrs };
}

function resolveMonitoring(
  check: Validator,
  props: ModelServiceProps,
  maxBatchSize: number | undefined,
): ModelServiceSpec["monitoring"] {
  const m = props.monitoring ?? {};
  const namespace = m.namespace ?? D.monitoringNamespace;
  checkDns1123Label(check, "monitoring.namespace", namespace);
  const serviceMonitorLabels = m.serviceMonitorLabels ?? {};
  checkLabels(check, "monitoring.serviceMonitorLabels", serviceMonitorLabels);
  const scrapeIntervalSeconds = m.scrapeIntervalSeconds ?? D.scrapeIntervalSeconds;
  checkIntegerRange(check, "monitoring.scrapeIntervalSeconds", scrapeIntervalSeconds, 1, 3600);
  const serviceMonitor = m.serviceMonitor ?? false;
  const context = { serviceMonitor, serviceMonitorLabels, ...(maxBatchSize ? { maxBatchSize } : {}) };
  return {
    namespace,
    serviceMonitor,
    serviceMonitorLabels,
    scrapeIntervalSeconds,
    alerts: resolveAlerts(check, m.alerts, context),
    dashboard: resolveDashboard(check, m.dashboard, context),
  };
}
