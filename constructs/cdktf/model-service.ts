import type { TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { claimServicePoolGpus } from "../../src/capacity/pool-claims";
import { rolloutWaitTimeouts } from "../../src/plan/deployment";
import { planModelServiceCloud } from "../../src/plan/model-pod-identity";
import { AUTH_TOKEN_VALUE_REF, type ModelServicePlan, planModelService } from "../../src/plan/model-service";
import { type KubernetesObject, replaceSensitiveRefs } from "../../src/plan/types";
import type { ModelServiceProps as CoreModelServiceProps } from "../../src/specs/model-service";
import { createCloudResources, createManifests, resourcesOf } from "./create-planned";
import type { GpuNodePool } from "./gpu-node-pool";
import type { CdktfConstructProps, CdktfProviders } from "./providers";
import { asToken, type CdktfTokens } from "./tokens";

/**
 * Props of a {@link ModelService}: the core's `ModelServiceProps` (where the core takes a value known only at
 * deploy time, e.g. `model.uri` or `namespace`, a CDKTF token), the node pool the pods run on, and the
 * providers set on every child.
 */
export interface ModelServiceProps extends CdktfTokens<CoreModelServiceProps>, CdktfConstructProps {
  /**
   * The GPU node pool the pods run on: they select its nodes and tolerate its taints, and wait for it.
   * @default - any node of the cluster (no GPU node selector)
   */
  readonly nodePool?: GpuNodePool;
  /**
   * The EKS cluster the service runs in, for the EKS Pod Identity association of a model read from S3.
   * @default - the node pool's cluster
   */
  readonly clusterName?: string;
}

/**
 * An ONNX model served by the onnxfleet server: ServiceAccount, ConfigMap, a Deployment per model version,
 * Service, PodDisruptionBudget, NetworkPolicy (and, when asked, ServiceMonitor and a traffic-splitting
 * HTTPRoute), each a `kubernetes_manifest`. A model in S3 gets an IAM role that reads exactly its objects,
 * bound to the ServiceAccount with EKS Pod Identity (unless `serviceAccountRoleArn` names your own role).
 * The objects wait for the node pool and the Pod Identity association; `terraform apply` waits for each
 * Deployment's rollout.
 *
 * Pass the cluster's `KubernetesProvider` (and the region's `AwsProvider` for S3 models) in `providers`; on a
 * `nodePool`, each provider not passed is the pool's.
 */
export class ModelService extends Construct {
  /** What the core planned; an {@link AutoscaledEndpoint} scales and exposes it. */
  readonly plan: ModelServicePlan;
  /** The ClusterIP Service selecting every version's pods. */
  readonly serviceName: string;
  /** Namespace of every object. */
  readonly namespace: string;
  /** ARN of the IAM policy reading the model objects in S3 (a token); undefined when no model is in S3. */
  readonly modelReadPolicyArn: string | undefined;
  /** ARN of the Pod Identity role of the pods (a token); undefined when none is created. */
  readonly podRoleArn: string | undefined;

  /**
   * @param id the service's name: a DNS-1035 label of at most 50 characters, prefix of every child's name.
   * @throws ValidationError (code `ONNXFLEET_INVALID_PROPS`) listing every invalid prop, before any child exists.
   */
  constructor(scope: Construct, id: string, props: ModelServiceProps) {
    const { nodePool, clusterName, providers: given, ...coreProps } = props ?? ({} as ModelServiceProps);
    // A service on a pool runs in the pool's cluster: each provider not given is the pool's, so a missing
    // kubernetes provider cannot send the objects to the stack's default cluster (#15 item 12).
    const providers = inheritProviders(given, nodePool?.providers);
    const plan = planModelService(id, coreProps, nodePool?.binding);
    const cloudPlan = planModelServiceCloud(plan, clusterName ?? nodePool?.clusterName);
    // The pool must hold this service's pods beside every other construct's on it (#15 item 7).
    claimServicePoolGpus(plan);
    super(scope, id);
    this.plan = plan;
    this.serviceName = plan.serviceName;
    this.namespace = asToken(plan.namespace);

    const planned = cloudPlan.cloudResources;
    const cloud = createCloudResources(this, planned, providers);
    // The token of a created Secret comes from the props (a sensitive value), never from the plan.
    const objects = plan.kubernetesObjects.map(
      (object) =>
        replaceSensitiveRefs(object, (ref) => {
          const auth = coreProps.auth;
          if (ref.$sensitive !== AUTH_TOKEN_VALUE_REF.$sensitive || typeof auth !== "object")
            throw new Error(`onnxfleet/cdktf: no value for ${ref.$sensitive}; this is a bug in onnxfleet`);
          return auth.tokenSecret.value;
        }) as KubernetesObject,
    );
    createManifests(this, objects, {
      ...(providers?.kubernetes ? { kubernetes: providers.kubernetes } : {}),
      // Pods wait for their pool (nodes, device plugin) and for every planned cloud resource, which covers the
      // core's cloudPlan.kubernetesDependsOn (pods admitted before the Pod Identity association get no AWS
      // credentials).
      dependsOn: [...(nodePool ? resourcesOf(nodePool) : []), ...cloud.values()],
      // The core marks fields owned in the cluster after creation (e.g. an autoscaled spec.replicas).
      ignoreChanges: plan.kubernetesIgnoreChanges,
      waitFor: (object) => (object.kind === "Deployment" ? { rollout: true } : undefined),
      // Terraform waits for a rollout as long as the plan says (the same figure as Pulumi's customTimeouts; the
      // provider's own default, 10 minutes, is shorter than the progress deadline plus GPU node scale-up).
      timeoutsFor: (object) => rolloutWaitTimeouts(object, plan.rolloutTimeoutSeconds),
    });
    const arnOf = (type: string): string | undefined => {
      const found = planned.find((r) => r.type === type);
      return found ? (cloud.get(found.logicalName) as TerraformResource & { arn: string }).arn : undefined;
    };
    this.modelReadPolicyArn = arnOf("aws:iam:Policy");
    this.podRoleArn = arnOf("aws:iam:Role");
  }
}

/** The given providers, each missing one taken from `inherited`. */
function inheritProviders(
  given: CdktfProviders | undefined,
  inherited: CdktfProviders | undefined,
): CdktfProviders {
  const aws = given?.aws ?? inherited?.aws;
  const kubernetes = given?.kubernetes ?? inherited?.kubernetes;
  return { ...(aws ? { aws } : {}), ...(kubernetes ? { kubernetes } : {}) };
}
