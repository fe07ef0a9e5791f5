/**
 * Props of a ModelService: one ONNX model (one version, or several side by side with traffic weights) served
 * by the bundled onnxfleet-server on Kubernetes. The GPU node pool is not a prop here: the core planner takes
 * the pool's {@link NodePoolBinding} as its own argument and each front-end adds a typed `nodePool` prop.
 * Validation: `resolve-model-service.ts`.
 */
import type { Lazy } from "../lazy";
import type { NodePoolBinding } from "../plan/types";
import type { Quantity } from "./common";
import type { GatewayDataPlaneProps } from "./gateway-data-plane";
import type { ModelServiceAlertsProps, ModelServiceDashboardProps } from "./model-service-observability";

export type { NodePoolBinding };

/** URI schemes the server's `fetch` command can download a model from. */
export const MODEL_URI_SCHEMES = ["s3://", "https://", "file://"] as const;

/** Where the model file is and its pinned digest. */
export interface ModelArtifact {
  /**
   * Where `model.onnx` is: `s3://bucket/key`, `https://host/path` or `file:///absolute/path` (a path inside the
   * container, for tests and air-gapped images). May be unresolved (a Pulumi Output, a CDKTF token).
   */
  readonly uri: Lazy<string>;
  /** sha256 of the model file, 64 hex digits: the download is refused when it does not match. */
  readonly sha256: Lazy<string>;
}

/** One version of the model served side by side with others (canary), with its share of the traffic. */
export interface ModelVersionProps extends ModelArtifact {
  /** Model version number: the directory `/models/<model>/<version>/model.onnx`. Unique within `versions`. */
  readonly version: number;
  /** Share of requests routed to this version, in percent; the weights of all versions sum to 100. */
  readonly weightPercent: number;
}

/** How the model's S3 objects are encrypted. */
export interface ModelEncryptionProps {
  /**
   * ARN of the KMS key of an SSE-KMS bucket: the pods' Pod Identity role may `kms:Decrypt` with this key
   * only, and only through S3 (`kms:ViaService`).
   * @default - no KMS permission (SSE-S3 or unencrypted objects)
   */
  readonly kmsKeyArn?: string;
}

/** A model served in one version. */
export interface SingleVersionModelProps extends ModelArtifact, ModelEncryptionProps {
  /**
   * Model name: the server's model name (`/v2/models/<name>`), its directory, and the
   * `app.kubernetes.io/name` label. Letters, digits, "-", "_", "."; at most 63 characters.
   */
  readonly name: string;
  /**
   * Model version number: the directory `/models/<name>/<version>/model.onnx`.
   * @default 1
   */
  readonly version?: number;
  readonly versions?: never;
}

/** A model served in several versions side by side, each with a traffic weight (canary rollout). */
export interface MultiVersionModelProps extends ModelEncryptionProps {
  /** Model name, as in {@link SingleVersionModelProps.name}. */
  readonly name: string;
  /**
   * The versions served side by side: one Deployment and one Service each, and an HTTPRoute splitting the
   * traffic by `weightPercent` (the weights sum to 100).
   */
  readonly versions: readonly ModelVersionProps[];
  readonly uri?: never;
  readonly sha256?: never;
  readonly version?: never;
}

/** The model a ModelService serves: `{ name, uri, sha256 }`, or `{ name, versions: [...] }` for a canary. */
export type ModelProps = SingleVersionModelProps | MultiVersionModelProps;

/** Compute resources of one server pod (the main container). */
export interface ResourcesProps {
  /**
   * GPUs per pod (`nvidia.com/gpu` limit, or the node pool's GPU resource name). 0 runs on CPU nodes, and is
   * refused on a GPU node pool (CPU inference on GPU nodes); more than 0 needs a node pool (`nodePool`) with
   * at least that many GPUs per node, and selects the server's CUDA execution provider.
   * @default 0
   */
  readonly gpu?: number;
  /**
   * CPU request, a Kubernetes quantity (`"2"`, `"500m"`).
   * @default "1"
   */
  readonly cpu?: Quantity;
  /**
   * CPU limit. Leaving it unset avoids CPU throttling of latency-sensitive inference.
   * @default - no CPU limit
   */
  readonly cpuLimit?: Quantity;
  /**
   * Memory request, a Kubernetes quantity (`"8Gi"`). The limit equals the request unless `memoryLimit` is set.
   * @default "2Gi"
   */
  readonly memory?: Quantity;
  /**
   * Memory limit; at least `memory`.
   * @default - equal to `memory`
   */
  readonly memoryLimit?: Quantity;
}

/** Where the init container puts the downloaded models. */
export type ModelStorageProps =
  | {
      /** A fresh emptyDir per pod: every pod downloads the model at start. */
      readonly type: "emptyDir";
      /**
       * Size limit of the emptyDir, a quantity; also added to the pod's ephemeral-storage request and limit.
       * @default "10Gi"
       */
      readonly sizeLimit?: Quantity;
    }
  | {
      /**
       * An existing PersistentVolumeClaim (ReadWriteMany when there is more than one replica). The fetch
       * command keeps a file whose sha256 already matches, so pods after the first skip the download.
       */
      readonly type: "persistentVolumeClaim";
      /** Name of the claim, in the service's namespace. */
      readonly claimName: Lazy<string>;
    };

/**
 * Dynamic batching settings of the model, written into its `config.json` (see `src/plan/model-config.ts` for
 * the exact key names the server reads). Each setting left out takes the server's own default
 * (`SERVER_BATCHING_DEFAULTS` in `src/plan/server-contract.ts`), and the `config.json` states the effective
 * values, so what the core plans is what the server runs.
 */
export interface BatchingProps {
  /**
   * Largest batch the server forms from concurrent requests, in rows; the model's batch dimension must allow
   * it. `1` turns batching off (every request runs alone).
   * @default 64
   */
  readonly maxBatchSize?: number;
  /**
   * How long an idle instance may hold a partial batch back for more requests, in milliseconds (fractions
   * allowed, 0 to 1000). `0` never holds back.
   * @default 10
   */
  readonly maxQueueDelayMs?: number;
}

/** Graceful shutdown of a server pod: kubelet preStop sleep, then SIGTERM, drain, exit. */
export interface ShutdownProps {
  /**
   * Seconds the kubelet waits (preStop sleep) before sending SIGTERM, while load balancers and endpoint
   * controllers stop sending new requests to the terminating pod. 0 disables the preStop hook.
   * @default 5
   */
  readonly preStopSleepSeconds?: number;
  /**
   * Seconds after SIGTERM during which the server reports unready but keeps serving (`--drain-delay-seconds`).
   * @default 5
   */
  readonly drainDelaySeconds?: number;
  /**
   * Hard deadline after SIGTERM by which the server exits, in-flight requests or not
   * (`--shutdown-timeout-seconds`); greater than `drainDelaySeconds`.
   * @default 25
   */
  readonly shutdownTimeoutSeconds?: number;
  /**
   * The pod's terminationGracePeriodSeconds; must exceed `preStopSleepSeconds + shutdownTimeoutSeconds`.
   * @default - preStopSleepSeconds + shutdownTimeoutSeconds + 5
   */
  readonly terminationGracePeriodSeconds?: number;
}

/** How strictly pods are spread: `required` (DoNotSchedule), `preferred` (ScheduleAnyway) or `none`. */
export const SPREAD_MODES = ["required", "preferred", "none"] as const;
/** How strictly pods are spread: `required` (DoNotSchedule), `preferred` (ScheduleAnyway) or `none`. */
export type SpreadMode = (typeof SPREAD_MODES)[number];

/** Topology spread of a Deployment's pods. */
export interface TopologySpreadProps {
  /**
   * Across zones (`topology.kubernetes.io/zone`, max skew 1).
   * @default "preferred" - a zone short of GPU capacity does not block scaling in the others
   */
  readonly zones?: SpreadMode;
  /**
   * Across nodes (`kubernetes.io/hostname`, max skew 1).
   * @default "preferred"
   */
  readonly hosts?: SpreadMode;
}

/** Who may reach the serving port (the NetworkPolicy's ingress sources). */
export interface AllowedSourcesProps {
  /**
   * Allow every pod of the service's own namespace.
   * @default true
   */
  readonly sameNamespace?: boolean;
  /**
   * Allow every pod of these namespaces, by name (e.g. the namespace of the Gateway routing to the service).
   * @default []
   */
  readonly namespaces?: readonly string[];
  /**
   * Allow these IP ranges, in CIDR notation (`10.0.0.0/16`).
   * @default []
   */
  readonly cidrs?: readonly string[];
}

/** Prometheus scraping of the server's metrics port. */
export interface MonitoringProps {
  /**
   * Namespace of the Prometheus that scrapes the metrics port: the only source allowed to reach it.
   * @default "monitoring"
   */
  readonly namespace?: string;
  /**
   * Plan a prometheus-operator ServiceMonitor (monitoring.coreos.com/v1) for the metrics port.
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * Extra labels of the ServiceMonitor, e.g. `{ release: "prometheus" }` to match a Prometheus' selector.
   * @default {}
   */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /**
   * Scrape interval of the ServiceMonitor, in seconds.
   * @default 15
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * The PrometheusRule of the service: SLO burn-rate alerts (availability, latency), saturation, model not
   * ready, crash loops, HPA at its maximum, GPU pods Pending. Runbook: `docs/operations.md`.
   * @default - planned wherever a ServiceMonitor is (`serviceMonitor`, or the one an AutoscaledEndpoint plans for
   * its autoscaler), with the thresholds' own defaults
   */
  readonly alerts?: ModelServiceAlertsProps;
  /**
   * The Grafana dashboard of the service, as a ConfigMap for the Grafana sidecar (`grafana_dashboard: "1"`).
   * @default - planned wherever a ServiceMonitor is (`serviceMonitor`, or an AutoscaledEndpoint's)
   */
  readonly dashboard?: ModelServiceDashboardProps;
}

/** The Gateway (Gateway API) that routes the weighted traffic of a multi-version model. */
export interface GatewayRefProps {
  /** Name of the Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway.
   * @default - the service's namespace
   */
  readonly namespace?: Lazy<string>;
  /**
   * Listener of the Gateway to attach to.
   * @default - every listener that allows the route
   */
  readonly sectionName?: string;
  /**
   * Where the Gateway's proxies send requests from, admitted by the NetworkPolicy to the serving port: the
   * Gateway's namespace always, plus a known implementation's (`envoy-gateway` runs its proxies in
   * `envoy-gateway-system`; `aws-vpc-lattice` reaches pods from 169.254.171.0/24) and your own.
   * @default - the Gateway's namespace only (Istio, NGINX Gateway Fabric)
   */
  readonly dataPlane?: GatewayDataPlaneProps;
}

/** The pod disruption budget of each Deployment: at most N pods down, or at least N pods up. */
export type DisruptionBudgetProps =
  | {
      /** Voluntary evictions allowed at once. */
      readonly maxUnavailable: number;
      readonly minAvailable?: never;
    }
  | {
      /** Pods that must stay up; below the replica count, so that node drains are never blocked. */
      readonly minAvailable: number;
      readonly maxUnavailable?: never;
    };

/** Key of the token in a Secret the construct creates, and the default key of an existing one. */
export const AUTH_TOKEN_SECRET_KEY = "token";
/** The explicit opt-out of authentication. */
export const NO_AUTH = "none" as const;

/** An existing Kubernetes Secret, in the service's namespace, holding the bearer token. */
export interface ExistingTokenSecretProps {
  /** Name of the Secret. */
  readonly name: Lazy<string>;
  /**
   * Key of the token in the Secret.
   * @default "token"
   */
  readonly key?: string;
  readonly value?: never;
}

/** A Secret the construct creates, holding a token given as a secret value. */
export interface CreatedTokenSecretProps {
  /**
   * The token: a Pulumi secret (`pulumi.secret(...)`, `config.requireSecret(...)`) or a sensitive Terraform
   * value. A plain string is refused: it would sit in the program's source and state in clear. The server
   * refuses a token shorter than 16 characters (generate one with `openssl rand -hex 32`).
   */
  readonly value: Lazy<string>;
  readonly name?: never;
  readonly key?: never;
}

/** Bearer-token authentication: every request but the health probes needs `Authorization: Bearer <token>`. */
export interface TokenAuthProps {
  /** Where the token is: an existing Secret `{ name, key? }`, or `{ value }` for a Secret created here. */
  readonly tokenSecret: ExistingTokenSecretProps | CreatedTokenSecretProps;
}

/** Authentication of inference requests: a bearer token, or `"none"` (an explicit opt-out). */
export type AuthProps = TokenAuthProps | typeof NO_AUTH;

export interface ModelServiceProps {
  /**
   * Kubernetes namespace of every object. Must exist. May be unresolved.
   * @default "default"
   */
  readonly namespace?: Lazy<string>;
  /** The model: `{ name, uri, sha256 }`, or `{ name, versions: [{ version, uri, sha256, weightPercent }] }`. */
  readonly model: ModelProps;
  /**
   * The onnxfleet-server image. The digest form `repo@sha256:<64 hex>` (or `repo:tag@sha256:<64 hex>`) is
   * recommended: a tag can be re-pointed to other content, a digest cannot. A tag alone is accepted.
   * @default - `ghcr.io/onnxfleet/onnxfleet-server:<this package's VERSION>@sha256:<its digest>` (src/server-image.ts); with
   *   `resources.gpu > 0`, the CUDA flavour `...:<VERSION>-cuda12@sha256:<its digest>`
   */
  readonly image?: Lazy<string>;
  /**
   * Pods per model version, for a service that nothing autoscales. Leave it out when an AutoscaledEndpoint
   * scales the service: the Deployments then carry no `spec.replicas` at all (Kubernetes starts one pod, the
   * autoscaler raises it to `replicas.min`), so re-applying them never resets the autoscaler's count, as the
   * Kubernetes HPA docs ask
   * (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling).
   * An AutoscaledEndpoint refuses a service that sets it. When set, it is the initial count only (the plan
   * marks `spec.replicas` in `kubernetesIgnoreChanges`, so `kubectl scale` is not reverted).
   * @default - not set: no `spec.replicas` (1 pod until an autoscaler scales the Deployments)
   */
  readonly replicas?: number;
  /**
   * Compute resources of a server pod.
   * @default - 1 CPU, 2Gi memory, no GPU
   */
  readonly resources?: ResourcesProps;
  /**
   * Dynamic batching of the model's requests. Batching is on by default, as in the server: concurrent
   * requests are joined up to 64 rows, and an idle instance holds a partial batch back for up to 10 ms.
   * `{ maxBatchSize: 1 }` turns it off.
   * @default { maxBatchSize: 64, maxQueueDelayMs: 10 }
   */
  readonly batching?: BatchingProps;
  /**
   * Where downloaded models are kept.
   * @default { type: "emptyDir", sizeLimit: "10Gi" }
   */
  readonly modelStorage?: ModelStorageProps;
  /**
   * Seconds a pod may take from container start to ready (model load and warm-up) before it is restarted.
   * @default 600
   */
  readonly modelLoadTimeoutSeconds?: number;
  /**
   * Graceful shutdown timings.
   * @default - preStop sleep 5 s, drain delay 5 s, shutdown timeout 25 s, grace period 35 s
   */
  readonly shutdown?: ShutdownProps;
  /**
   * Topology spread of the pods.
   * @default { zones: "preferred", hosts: "preferred" }
   */
  readonly topologySpread?: TopologySpreadProps;
  /**
   * Pod disruption budget of each Deployment.
   * @default { maxUnavailable: 1 }
   */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /**
   * Sources allowed to reach the serving port.
   * @default { sameNamespace: true }
   */
  readonly allowedSources?: AllowedSourcesProps;
  /**
   * Metrics scraping.
   * @default { namespace: "monitoring", serviceMonitor: false }
   */
  readonly monitoring?: MonitoringProps;
  /**
   * The Gateway that the HTTPRoute of a multi-version model attaches to. Required when `model.versions` is set.
   * @default - no Gateway (single-version models have no HTTPRoute)
   */
  readonly gateway?: GatewayRefProps;
  /**
   * IAM role the pods assume to read the model from S3 (IRSA: the ServiceAccount annotation
   * `eks.amazonaws.com/role-arn`). The plan's `modelReadPolicy` lists exactly what the role must read.
   * @default - no annotation (EKS Pod Identity or node credentials)
   */
  readonly serviceAccountRoleArn?: Lazy<string>;
  /**
   * Who may run inferences. The token Secret is mounted as a file and passed with `--auth-token-file`; health
   * probes stay open. An AutoscaledEndpoint exposed to the internet refuses a service without `auth`:
   * give a token, or `"none"` to opt out explicitly.
   * @default - no authentication (in-cluster clients only)
   */
  readonly auth?: AuthProps;
}

// --- defaults ------------------------------------------------------------------------------------------

/** The defaults of every optional ModelService prop, in one place. */
export const MODEL_SERVICE_DEFAULTS = {
  namespace: "default",
  modelVersion: 1,
  gpu: 0,
  cpu: "1",
  memory: "2Gi",
  modelStorageSizeLimit: "10Gi",
  tmpSizeLimit: "1Gi",
  modelLoadTimeoutSeconds: 600,
  preStopSleepSeconds: 5,
  drainDelaySeconds: 5,
  shutdownTimeoutSeconds: 25,
  zones: "preferred",
  hosts: "preferred",
  maxUnavailable: 1,
  monitoringNamespace: "monitoring",
  scrapeIntervalSeconds: 15,
} as const;
