/**
 * The Deployment of one model version: a `fetch` init container downloading and verifying the model, then
 * the server, under the restricted Pod Security Standard.
 */
import { createHash } from "node:crypto";
import { modelVersionLabels, modelVersionSelector } from "../labels";
import { configMapName, deploymentName, modelConfigKey, serviceAccountName } from "../naming";
import { parseQuantity } from "../specs/common";
import { MODEL_SERVICE_DEFAULTS } from "../specs/model-service";
import type { ModelServiceSpec, ModelVersionSpec } from "../specs/resolve-model-service";
import { serverModelConfigJson } from "./model-config";
import { containerSecurityContext, podSecurityContext } from "./pod-security";
import { lifecycle, livenessProbe, readinessProbe, startupProbe } from "./probes";
import {
  AUTH_TOKEN_DIR,
  AUTH_TOKEN_FILE,
  FETCH_FLAGS,
  FETCH_SUBCOMMAND,
  FLAGS,
  HTTP_PORT,
  HTTP_PORT_NAME,
  METRICS_PORT,
  METRICS_PORT_NAME,
  MODEL_CONFIG_FILE_NAME,
  MODEL_REPOSITORY_PATH,
  modelConfigPath,
  modelFilePath,
  SERVER_COMMAND,
} from "./server-contract";
import type { KubernetesObject } from "./types";

/** Pod-template annotation: sha256 of the version's config.json, so a config change rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = "onnxfleet.dev/config-sha256";

/** Volume names inside the pod. */
export const VOLUMES = {
  models: "models",
  tmp: "tmp",
  modelConfig: "model-config",
  authToken: "auth-token",
} as const;

/** Resources of the fetch init container (a streaming download needs little memory). */
export const FETCH_RESOURCES = { cpu: "500m", memory: "512Mi" } as const;

/** Container names. */
export const SERVER_CONTAINER = "server";
export const FETCH_CONTAINER = "fetch-model";

/** Ephemeral storage for the container's logs and writable layer, beyond the emptyDirs. */
const LOGS_EPHEMERAL_STORAGE_MiB = 512;

/** The server's execution provider flag value. */
export function executionProvider(gpu: number): "cuda" | "cpu" {
  return gpu > 0 ? "cuda" : "cpu";
}

/** Seconds allowed for GPU node scale-up and image pull, beyond the model's load time, per pod. */
export const NODE_AND_IMAGE_ALLOWANCE_SECONDS = 600;

/**
 * A Deployment's progressDeadlineSeconds: the model's load time plus node scale-up and image pull. Kubernetes
 * reports the rollout failed (Progressing=False) when no pod made progress for that long.
 */
export function progressDeadlineSeconds(spec: Pick<ModelServiceSpec, "modelLoadTimeoutSeconds">): number {
  return spec.modelLoadTimeoutSeconds + NODE_AND_IMAGE_ALLOWANCE_SECONDS;
}

/**
 * How long a deployment engine waits for a rollout before giving up: never before Kubernetes itself would
 * (the progress deadline), plus one more deadline for the next pod of a rolling update, so a slow but
 * progressing rollout is not abandoned (Pulumi's own default is 10 minutes:
 * https://www.pulumi.com/docs/iac/concepts/options/customtimeouts/).
 */
export function rolloutTimeoutSeconds(spec: Pick<ModelServiceSpec, "modelLoadTimeoutSeconds">): number {
  return 2 * progressDeadlineSeconds(spec);
}

/** How long a deployment engine waits for a planned object to become ready, on create and on update. */
export interface RolloutWaitTimeouts {
  /** A duration the engines parse alike (Go's `time.ParseDuration`), e.g. `"2400s"`. */
  readonly create: string;
  readonly update: string;
}

/**
 * The wait timeouts of one planned object: a Deployment's are `rolloutTimeoutSeconds`; any other kind has
 * none (the engine's default). Both front-ends take their figure from here (Pulumi `customTimeouts`,
 * https://www.pulumi.com/docs/iac/concepts/options/customtimeouts/; the `timeouts` block of Terraform's
 * `kubernetes_manifest`, which bounds its `wait`,
 * https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/manifest#timeouts), so
 * they cannot disagree.
 */
export function rolloutWaitTimeouts(
  object: Pick<KubernetesObject, "kind">,
  rolloutTimeoutSeconds: number,
): RolloutWaitTimeouts | undefined {
  if (object.kind !== "Deployment") return undefined;
  const timeout = `${rolloutTimeoutSeconds}s`;
  return { create: timeout, update: timeout };
}

/** The config.json text of a version, shared with the ConfigMap. */
export function versionConfigJson(spec: ModelServiceSpec, version: ModelVersionSpec): string {
  return serverModelConfigJson({
    version: version.version,
    sha256: version.sha256,
    batching: spec.batching,
  });
}

/** Ephemeral storage of a pod: the models emptyDir (if any), /tmp and the logs, as a Mi quantity. */
export function ephemeralStorage(spec: ModelServiceSpec): string {
  const models =
    spec.modelStorage.type === "emptyDir" ? (parseQuantity(spec.modelStorage.sizeLimit) ?? 0) : 0;
  const tmp = parseQuantity(MODEL_SERVICE_DEFAULTS.tmpSizeLimit) ?? 0;
  const mebibytes = Math.ceil((models + tmp) / 2 ** 20) + LOGS_EPHEMERAL_STORAGE_MiB;
  return `${mebibytes}Mi`;
}

export function planDeployment(spec: ModelServiceSpec, version: ModelVersionSpec): KubernetesObject {
  const labels = modelVersionLabels(spec.name, spec.modelName, version.version);
  const selector = modelVersionSelector(spec.name, version.version);
  const configJson = versionConfigJson(spec, version);
  const tolerations = spec.binding?.tolerations ?? [];
  const nodeSelector = spec.binding?.nodeSelector ?? {};
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: deploymentName(spec.name, version.version), namespace: spec.namespace, labels },
    spec: {
      // No replicas unless the user fixed the count: an autoscaler owns it (see ModelServiceProps.replicas).
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: progressDeadlineSeconds(spec),
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          annotations: {
            [CONFIG_CHECKSUM_ANNOTATION]: createHash("sha256").update(configJson).digest("hex"),
          },
        },
        spec: {
          serviceAccountName: serviceAccountName(spec.name),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          terminationGracePeriodSeconds: spec.shutdown.terminationGracePeriodSeconds,
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector: { ...nodeSelector } } : {}),
          ...(tolerations.length > 0 ? { tolerations: tolerations.map((t) => ({ ...t })) } : {}),
          topologySpreadConstraints: topologySpread(spec, selector),
          initContainers: [fetchContainer(spec, version)],
          containers: [serverContainer(spec)],
          volumes: volumes(spec, version),
        },
      },
    },
  };
}

function topologySpread(spec: ModelServiceSpec, selector: Record<string, string>): Record<string, unknown>[] {
  const constraints: Record<string, unknown>[] = [];
  const add = (topologyKey: string, mode: string) => {
    if (mode === "none") return;
    constraints.push({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: mode === "required" ? "DoNotSchedule" : "ScheduleAnyway",
      labelSelector: { matchLabels: { ...selector } },
      matchLabelKeys: ["pod-template-hash"],
    });
  };
  add("topology.kubernetes.io/zone", spec.topologySpread.zones);
  add("kubernetes.io/hostname", spec.topologySpread.hosts);
  return constraints;
}

function fetchContainer(spec: ModelServiceSpec, version: ModelVersionSpec): Record<string, unknown> {
  const storage = ephemeralStorage(spec);
  return {
    name: FETCH_CONTAINER,
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    command: [SERVER_COMMAND],
    args: [
      FETCH_SUBCOMMAND,
      FETCH_FLAGS.uri,
      version.uri,
      FETCH_FLAGS.sha256,
      version.sha256,
      FETCH_FLAGS.dest,
      modelFilePath(spec.modelName, version.version),
    ],
    resources: {
      requests: { cpu: FETCH_RESOURCES.cpu, memory: FETCH_RESOURCES.memory, "ephemeral-storage": storage },
      limits: { memory: FETCH_RESOURCES.memory, "ephemeral-storage": storage },
    },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: VOLUMES.models, mountPath: MODEL_REPOSITORY_PATH },
      { name: VOLUMES.tmp, mountPath: "/tmp" },
    ],
  };
}

function serverContainer(spec: ModelServiceSpec): Record<string, unknown> {
  const r = spec.resources;
  const storage = ephemeralStorage(spec);
  const gpuLimit = r.gpu > 0 ? { [r.gpuResourceName]: String(r.gpu) } : {};
  const preStop = lifecycle(spec.shutdown.preStopSleepSeconds);
  return {
    name: SERVER_CONTAINER,
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    command: [SERVER_COMMAND],
    args: [
      FLAGS.modelRepository,
      MODEL_REPOSITORY_PATH,
      FLAGS.httpPort,
      String(HTTP_PORT),
      FLAGS.metricsPort,
      String(METRICS_PORT),
      FLAGS.executionProvider,
      executionProvider(r.gpu),
      FLAGS.drainDelaySeconds,
      String(spec.shutdown.drainDelaySeconds),
      FLAGS.shutdownTimeoutSeconds,
      String(spec.shutdown.shutdownTimeoutSeconds),
      ...(spec.auth.type === "token" ? [FLAGS.authTokenFile, AUTH_TOKEN_FILE] : []),
    ],
    ports: [
      { name: HTTP_PORT_NAME, containerPort: HTTP_PORT, protocol: "TCP" },
      { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: "TCP" },
    ],
    resources: {
      requests: { cpu: r.cpu, memory: r.memory, "ephemeral-storage": storage },
      limits: {
        ...(r.cpuLimit !== undefined ? { cpu: r.cpuLimit } : {}),
        memory: r.memoryLimit,
        "ephemeral-storage": storage,
        ...gpuLimit,
      },
    },
    startupProbe: startupProbe(spec.modelLoadTimeoutSeconds),
    readinessProbe: readinessProbe(),
    livenessProbe: livenessProbe(),
    ...(preStop ? { lifecycle: preStop } : {}),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      // Read-write: the config file below is mounted inside it, which needs a writable parent.
      { name: VOLUMES.models, mountPath: MODEL_REPOSITORY_PATH },
      {
        name: VOLUMES.modelConfig,
        mountPath: modelConfigPath(spec.modelName),
        subPath: MODEL_CONFIG_FILE_NAME,
        readOnly: true,
      },
      { name: VOLUMES.tmp, mountPath: "/tmp" },
      ...(spec.auth.type === "token"
        ? [{ name: VOLUMES.authToken, mountPath: AUTH_TOKEN_DIR, readOnly: true }]
        : []),
    ],
  };
}

/**
 * The token Secret as a volume: only the token's key, as the file `token`, readable by the pod's group (the
 * kubelet gives secret volume files the pod's fsGroup). The server reads it once at start.
 */
function authTokenVolume(spec: ModelServiceSpec): Record<string, unknown>[] {
  const auth = spec.auth;
  if (auth.type !== "token") return [];
  return [
    {
      name: VOLUMES.authToken,
      secret: {
        secretName: auth.secretName,
        items: [{ key: auth.secretKey, path: AUTH_TOKEN_FILE.slice(AUTH_TOKEN_DIR.length + 1) }],
        defaultMode: 0o440,
      },
    },
  ];
}

function volumes(spec: ModelServiceSpec, version: ModelVersionSpec): Record<string, unknown>[] {
  const models =
    spec.modelStorage.type === "emptyDir"
      ? { name: VOLUMES.models, emptyDir: { sizeLimit: spec.modelStorage.sizeLimit } }
      : { name: VOLUMES.models, persistentVolumeClaim: { claimName: spec.modelStorage.claimName } };
  return [
    models,
    { name: VOLUMES.tmp, emptyDir: { sizeLimit: MODEL_SERVICE_DEFAULTS.tmpSizeLimit } },
    {
      name: VOLUMES.modelConfig,
      configMap: {
        name: configMapName(spec.name),
        items: [{ key: modelConfigKey(version.version), path: MODEL_CONFIG_FILE_NAME }],
      },
    },
    ...authTokenVolume(spec),
  ];
}
