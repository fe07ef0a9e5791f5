/**
 * Plans a ModelService: validated props -> the Kubernetes objects that serve the model, plus what an
 * AutoscaledEndpoint needs to scale and expose it.
 */
import type { Lazy } from "../lazy";
import type { ModelServiceProps } from "../specs/model-service";
import type { CloudResourcePlan, KubernetesObject, NodePoolBinding } from "./types";

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
  /** The IAM policy document granting exactly that. */
  readonly policyDocument: {
    readonly Version: "2012-10-17";
    readonly Statement: readonly {
      readonly Effect: "Allow";
      readonly Action: string[];
      readonly Resource: string[];
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
  /** The namespace allowed to scrape the metrics port. */
  readonly monitoringNamespace: string;
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
  void name;
  void props;
  void binding;
  throw new Error("planModelService: implementation in progress on branch core-ms");
}
