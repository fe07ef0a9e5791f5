/**
 * The prop names a ModelService knows, at every level: any other key is refused with the closest known name
 * (a typo such as `resource` for `resources` would otherwise be ignored silently). The lists are checked
 * against the prop types at compile time ({@link propNames}).
 */
import type { Validator } from "../validate";
import { checkKnownKeys, propNames } from "./common";
import type {
  AllowedSourcesProps,
  BatchingProps,
  DisruptionBudgetProps,
  GatewayRefProps,
  ModelProps,
  ModelServiceProps,
  ModelStorageProps,
  ModelVersionProps,
  MonitoringProps,
  ResourcesProps,
  ShutdownProps,
  TopologySpreadProps,
} from "./model-service";

const MODEL_SERVICE_PROPS = propNames<ModelServiceProps>({
  namespace: true,
  model: true,
  image: true,
  replicas: true,
  resources: true,
  batching: true,
  modelStorage: true,
  modelLoadTimeoutSeconds: true,
  shutdown: true,
  topologySpread: true,
  disruptionBudget: true,
  allowedSources: true,
  monitoring: true,
  gateway: true,
  serviceAccountRoleArn: true,
  auth: true,
});

/** `model` takes either form; mixing them is reported by the model's own check. */
const MODEL_PROPS = propNames<ModelProps>({
  name: true,
  uri: true,
  sha256: true,
  version: true,
  versions: true,
  kmsKeyArn: true,
});

const NESTED_PROPS: Readonly<Record<string, readonly string[]>> = {
  resources: propNames<ResourcesProps>({
    gpu: true,
    cpu: true,
    cpuLimit: true,
    memory: true,
    memoryLimit: true,
  }),
  batching: propNames<BatchingProps>({ maxBatchSize: true, maxQueueDelayMs: true }),
  // Either storage type; a key of the other type is ignored by the storage's own check.
  modelStorage: propNames<ModelStorageProps>({ type: true, sizeLimit: true, claimName: true }),
  shutdown: propNames<ShutdownProps>({
    preStopSleepSeconds: true,
    drainDelaySeconds: true,
    shutdownTimeoutSeconds: true,
    terminationGracePeriodSeconds: true,
  }),
  topologySpread: propNames<TopologySpreadProps>({ zones: true, hosts: true }),
  disruptionBudget: propNames<DisruptionBudgetProps>({ maxUnavailable: true, minAvailable: true }),
  allowedSources: propNames<AllowedSourcesProps>({ sameNamespace: true, namespaces: true, cidrs: true }),
  monitoring: propNames<MonitoringProps>({
    namespace: true,
    serviceMonitor: true,
    serviceMonitorLabels: true,
    scrapeIntervalSeconds: true,
    alerts: true,
    dashboard: true,
  }),
  gateway: propNames<GatewayRefProps>({ name: true, namespace: true, sectionName: true, dataPlane: true }),
};

const MODEL_VERSION_PROPS = propNames<ModelVersionProps>({
  version: true,
  uri: true,
  sha256: true,
  weightPercent: true,
});

/** Records a problem for every key of `props` (at any level) that a ModelService does not know. */
export function checkModelServiceKeys(check: Validator, props: ModelServiceProps): void {
  checkKnownKeys(check, "", props, MODEL_SERVICE_PROPS);
  const record = props as unknown as Record<string, unknown>;
  for (const [prop, known] of Object.entries(NESTED_PROPS)) checkKnownKeys(check, prop, record[prop], known);
  const model = props.model as unknown;
  checkKnownKeys(check, "model", model, MODEL_PROPS);
  const versions = (model as { versions?: unknown } | null | undefined)?.versions;
  if (Array.isArray(versions))
    versions.forEach((version, i) => {
      checkKnownKeys(check, `model.versions[${i}]`, version, MODEL_VERSION_PROPS);
    });
}
