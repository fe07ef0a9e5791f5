/**
 * Plans a ModelService: validated props -> the Kubernetes objects that serve the model, plus what an
 * AutoscaledEndpoint needs to scale and expose it.
 */
import {
  modelServiceLabels,
  modelServiceSelector,
  modelVersionLabels,
  modelVersionSelector,
} from "../labels";
import type { Lazy } from "../lazy";
import {
  authTokenSecretName,
  configMapName,
  deploymentName,
  modelConfigKey,
  modelReadPolicyName,
  serviceAccountName,
  serviceName,
  versionServiceName,
} from "../naming";
import { AUTH_TOKEN_SECRET_KEY, type ModelServiceProps } from "../specs/model-service";
import { parseS3Uri, type S3Object, s3ObjectArn } from "../specs/model-uri";
import { type ModelServiceSpec, resolveModelServiceSpec } from "../specs/resolve-model-service";
import { plannedCloudResource } from "./cloud-resource-types";
import { planDeployment, rolloutTimeoutSeconds, versionConfigJson } from "./deployment";
import { planServiceAlertsAndDashboard } from "./model-service-monitoring";
import {
  planHttpRoute,
  planNetworkPolicy,
  planService,
  planServiceMonitor,
  planVersionService,
} from "./model-service-network";
import { HTTP_PORT, METRICS_PORT } from "./server-contract";
import type {
  CloudResourcePlan,
  KubernetesIgnoreChanges,
  KubernetesObject,
  NodePoolBinding,
  SensitiveRef,
} from "./types";

/** The server's ports, fixed by the image contract (`--http-port`, `--metrics-port`). */
export interface ServerPorts {
  /** Open Inference Protocol REST; the port named `http` on every Service. */
  readonly http: number;
  /** Prometheus `/metrics`; the port named `metrics`. */
  readonly metrics: number;
}

/** One model version as planned: its Deployment (and its own Service when several versions are served). */
export interface ModelVersionPlan {
  readonly version: number;
  /** Share of the traffic in percent (100 for a single version). */
  readonly weightPercent: number;
  /** Name of the version's Deployment (also its PodDisruptionBudget's name). */
  readonly deploymentName: string;
  /** Name of the version's own Service (several versions), or of the ModelService's Service (one version). */
  readonly serviceName: string;
  /** Labels selecting exactly this version's pods (the Deployment's selector). */
  readonly selectorLabels: Readonly<Record<string, string>>;
}

/** What an IAM role must be allowed to read for the init containers to download the models from S3. */
export interface S3ReadAccess {
  /** Each S3 object, exactly: `s3:GetObject` on `arn:aws:s3:::<bucket>/<key>`. */
  readonly objects: readonly { readonly bucket: string; readonly key: string }[];
  /** The IAM policy document granting exactly that (and `kms:Decrypt` on `model.kmsKeyArn`, through S3). */
  readonly policyDocument: {
    readonly Version: "2012-10-17";
    readonly Statement: readonly {
      readonly Effect: "Allow";
      readonly Action: string[];
      readonly Resource: string[];
      readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    }[];
  };
}

export interface ModelServicePlan {
  /** The ModelService's name (construct name; prefix of every child name, see `src/naming.ts`). */
  readonly name: string;
  /** Namespace of every object (possibly unresolved). */
  readonly namespace: Lazy<string>;
  /** Model name as the server serves it. */
  readonly modelName: string;
  /** Every Kubernetes object, in apply order (ServiceAccount and ConfigMap before Deployments). */
  readonly kubernetesObjects: readonly KubernetesObject[];
  /**
   * Fields the deployment engine must leave alone after creation: every Deployment's `spec.replicas` when
   * `replicas` is set (it is the initial count; `kubectl scale` owns it after). Empty without `replicas`.
   */
  readonly kubernetesIgnoreChanges: readonly KubernetesIgnoreChanges[];
  /** Cloud resources to create (the S3 read policy when the models come from S3 with known URIs). */
  readonly cloudResources: readonly CloudResourcePlan[];
  /** Exactly what the pods' IAM role must read; absent when no model URI is a known `s3://` URI. */
  readonly s3ReadAccess?: S3ReadAccess;
  /** The ClusterIP Service selecting every version's pods. */
  readonly serviceName: string;
  /** Labels selecting every pod of the service (all versions). */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly ports: ServerPorts;
  /** The versions served, with their Deployments. */
  readonly versions: readonly ModelVersionPlan[];
  /** The PodDisruptionBudget of each Deployment, for the endpoint's consistency check. */
  readonly disruptionBudget: { readonly maxUnavailable: number } | { readonly minAvailable: number };
  /** Server shutdown timings, for the load balancer's deregistration delay. */
  readonly shutdown: {
    readonly preStopSleepSeconds: number;
    readonly drainDelaySeconds: number;
    readonly shutdownTimeoutSeconds: number;
    readonly terminationGracePeriodSeconds: number;
  };
  /**
   * Seconds a front-end waits for a Deployment's rollout (Pulumi `customTimeouts`, CDKTF's manifest wait
   * timeouts): longer than the progress deadline, after which Kubernetes reports the failure itself.
   */
  readonly rolloutTimeoutSeconds: number;
  /** The namespace allowed to scrape the metrics port. */
  readonly monitoringNamespace: string;
  /** The validated spec, every default applied. */
  readonly spec: ModelServiceSpec;
}

/**
 * Validates `props` (throwing one ValidationError listing every problem) and plans the service.
 * `binding` is the GpuNodePool the pods run on; without it pods run on any node (no GPU node selector).
 */
export function planModelService(
  name: string,
  props: ModelServiceProps,
  binding?: NodePoolBinding,
): ModelServicePlan {
  const spec = resolveModelServiceSpec(name, props, binding);
  const s3ReadAccess = planS3ReadAccess(spec);
  const versions = spec.versions.map(
    (v): ModelVersionPlan => ({
      version: v.version,
      weightPercent: v.weightPercent,
      deploymentName: deploymentName(spec.name, v.version),
      serviceName: spec.weightedVersions ? versionServiceName(spec.name, v.version) : serviceName(spec.name),
      selectorLabels: modelVersionSelector(spec.name, v.version),
    }),
  );
  const kubernetesObjects: KubernetesObject[] = [
    planServiceAccount(spec),
    ...(spec.auth.type === "token" && spec.auth.createdSecret ? [planAuthTokenSecret(spec)] : []),
    planConfigMap(spec),
    ...spec.versions.map((v) => planDeployment(spec, v)),
    planService(spec),
    ...(spec.weightedVersions ? spec.versions.map((v) => planVersionService(spec, v.version)) : []),
    ...spec.versions.map((v) => planPodDisruptionBudget(spec, v.version)),
    planNetworkPolicy(spec),
    ...(spec.weightedVersions ? [planHttpRoute(spec)] : []),
    ...(spec.monitoring.serviceMonitor ? [planServiceMonitor(spec)] : []),
    ...planServiceAlertsAndDashboard(
      spec,
      versions.map((v) => v.deploymentName),
    ),
  ];
  return {
    name: spec.name,
    namespace: spec.namespace,
    modelName: spec.modelName,
    kubernetesObjects,
    kubernetesIgnoreChanges:
      spec.replicas === undefined ? [] : versions.map((v) => replicasOwnedAfterCreation(v.deploymentName)),
    cloudResources: s3ReadAccess ? [planReadPolicy(spec, s3ReadAccess)] : [],
    ...(s3ReadAccess ? { s3ReadAccess } : {}),
    serviceName: serviceName(spec.name),
    selectorLabels: modelServiceSelector(spec.name),
    ports: { http: HTTP_PORT, metrics: METRICS_PORT },
    versions,
    disruptionBudget: spec.disruptionBudget,
    shutdown: spec.shutdown,
    rolloutTimeoutSeconds: rolloutTimeoutSeconds(spec),
    monitoringNamespace: spec.monitoring.namespace,
    spec,
  };
}

/**
 * A fixed `replicas` is the Deployment's initial pod count only: `kubectl scale` owns it after creation, and
 * re-applying the planned count would undo it. (Without `replicas` no Deployment carries the field at all.)
 */
function replicasOwnedAfterCreation(deployment: string): KubernetesIgnoreChanges {
  return {
    object: { kind: "Deployment", name: deployment },
    fields: ["spec.replicas"],
    reason: "replicas is the initial count; kubectl scale owns it after creation",
  };
}

function planServiceAccount(spec: ModelServiceSpec): KubernetesObject {
  const roleArn = spec.serviceAccountRoleArn;
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: serviceAccountName(spec.name),
      namespace: spec.namespace,
      labels: modelServiceLabels(spec.name, spec.modelName),
      // An unresolved ARN is passed through for the front-end to resolve.
      ...(roleArn !== undefined ? { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn as string } } : {}),
    },
    automountServiceAccountToken: false,
  };
}

/** Where the token of a created Secret goes in the plan: the front-end fills it with the user's secret value. */
export const AUTH_TOKEN_VALUE_REF: SensitiveRef = { $sensitive: "auth.tokenSecret.value" };

/** The Secret holding the bearer token given as a secret value; the plan holds a reference, never the value. */
function planAuthTokenSecret(spec: ModelServiceSpec): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: authTokenSecretName(spec.name),
      namespace: spec.namespace,
      labels: modelServiceLabels(spec.name, spec.modelName),
    },
    type: "Opaque",
    immutable: false,
    stringData: { [AUTH_TOKEN_SECRET_KEY]: AUTH_TOKEN_VALUE_REF },
  };
}

/** ServiceAccount annotation naming the IAM role of the pods (EKS IAM Roles for Service Accounts). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

function planConfigMap(spec: ModelServiceSpec): KubernetesObject {
  const data: Record<string, string> = {};
  for (const v of spec.versions) data[modelConfigKey(v.version)] = versionConfigJson(spec, v);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: configMapName(spec.name),
      namespace: spec.namespace,
      labels: modelServiceLabels(spec.name, spec.modelName),
    },
    data,
  };
}

function planPodDisruptionBudget(spec: ModelServiceSpec, version: number): KubernetesObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      name: deploymentName(spec.name, version),
      namespace: spec.namespace,
      labels: modelVersionLabels(spec.name, spec.modelName, version),
    },
    spec: {
      selector: { matchLabels: modelVersionSelector(spec.name, version) },
      ...spec.disruptionBudget,
      // A crash-looping pod must not block node drains.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

/** S3 objects of the known `s3://` URIs, and a policy reading exactly those. */
function planS3ReadAccess(spec: ModelServiceSpec): S3ReadAccess | undefined {
  const objects: S3Object[] = [];
  for (const v of spec.versions) {
    const object = parseS3Uri(v.uri);
    if (object && !objects.some((o) => o.bucket === object.bucket && o.key === object.key))
      objects.push(object);
  }
  if (objects.length === 0) return undefined;
  return {
    objects,
    policyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: objects.map(s3ObjectArn),
        },
        ...(spec.kmsKeyArn !== undefined
          ? [
              {
                Effect: "Allow" as const,
                Action: ["kms:Decrypt"],
                Resource: [spec.kmsKeyArn],
                // The key serves S3 reads only, in any region's S3 endpoint:
                // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
                Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
              },
            ]
          : []),
      ],
    },
  };
}

function planReadPolicy(spec: ModelServiceSpec, access: S3ReadAccess): CloudResourcePlan {
  return plannedCloudResource({
    type: "aws:iam:Policy",
    logicalName: modelReadPolicyName(spec.name),
    properties: {
      description: `Read the model files of ModelService ${spec.name} (onnxfleet)`,
      policy: JSON.stringify(access.policyDocument),
    },
  });
}
