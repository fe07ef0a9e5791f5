import * as pulumi from "@pulumi/pulumi";
import { claimServicePoolGpus } from "../../src/capacity/pool-claims";
import { rolloutWaitTimeouts } from "../../src/plan/deployment";
import { planModelServiceCloud } from "../../src/plan/model-pod-identity";
import { AUTH_TOKEN_VALUE_REF, type ModelServicePlan, planModelService } from "../../src/plan/model-service";
import { type KubernetesObject, replaceSensitiveRefs } from "../../src/plan/types";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { createCloudResources, createKubernetesObjects } from "./create-planned";
import type { GpuNodePool } from "./gpu-node-pool";
import { planOrThrowInputErrors } from "./input-errors";
import { asInput, type PulumiInputs } from "./inputs";

/**
 * Arguments of a {@link ModelService}: the core's `ModelServiceProps` (where the core takes a value known only
 * at deploy time, e.g. `model.uri` or `namespace`, a `pulumi.Input`), plus the node pool the pods run on.
 */
export interface ModelServiceArgs extends PulumiInputs<ModelServiceProps> {
  /**
   * The GPU node pool the pods run on: they select its nodes and tolerate its taints, and wait for it.
   * @default - any node of the cluster (no GPU node selector)
   */
  readonly nodePool?: GpuNodePool;
  /**
   * The EKS cluster the service runs in, for the EKS Pod Identity association of a model read from S3.
   * @default - the node pool's cluster
   */
  readonly clusterName?: pulumi.Input<string>;
}

/**
 * The planned objects with each {@link SensitiveRef} filled from the args, as a Pulumi secret: the value
 * stays encrypted in the state and masked in every output and log.
 */
function withSecretValues(
  objects: readonly KubernetesObject[],
  props: ModelServiceProps,
): readonly KubernetesObject[] {
  return objects.map(
    (object) =>
      replaceSensitiveRefs(object, (ref) => {
        const auth = props.auth;
        if (ref.$sensitive !== AUTH_TOKEN_VALUE_REF.$sensitive || typeof auth !== "object")
          throw new Error(`onnxfleet/pulumi: no value for ${ref.$sensitive}; this is a bug in onnxfleet`);
        return pulumi.secret(asInput(auth.tokenSecret.value));
      }) as KubernetesObject,
  );
}

/**
 * An ONNX model served by the onnxfleet server: ServiceAccount, ConfigMap, a Deployment per model version,
 * Service, PodDisruptionBudget, NetworkPolicy (and, when asked, ServiceMonitor and a traffic-splitting
 * HTTPRoute). A model in S3 gets an IAM role that reads exactly its objects, bound to the ServiceAccount with
 * EKS Pod Identity (unless `serviceAccountRoleArn` names your own role).
 *
 * `replicas` is the Deployments' initial pod count: later changes to `spec.replicas` are left to the
 * autoscaler (an {@link AutoscaledEndpoint}) or to you (`kubectl scale`), never reverted by `pulumi up`.
 *
 * Pass the cluster's `k8s.Provider` (and `aws.Provider` for S3 models) in `opts.providers`; on a `nodePool`,
 * each provider you do not pass is the pool's (its cluster's), so the pods cannot land on another cluster.
 */
export class ModelService extends pulumi.ComponentResource {
  /** What the core planned; an {@link AutoscaledEndpoint} scales and exposes it. */
  readonly plan: ModelServicePlan;
  /** The ClusterIP Service selecting every version's pods. */
  readonly serviceName: string;
  /** Namespace of every object. */
  readonly namespace: pulumi.Input<string>;
  /** ARN of the IAM policy reading the model objects in S3; undefined when no model is in S3. */
  readonly modelReadPolicyArn: pulumi.Output<string> | undefined;
  /** ARN of the Pod Identity role of the pods; undefined when none is created. */
  readonly podRoleArn: pulumi.Output<string> | undefined;

  /**
   * @param name the service's name: a DNS-1035 label of at most 50 characters, prefix of every child's name.
   * @throws pulumi.InputPropertiesError listing every invalid prop with its path (its `cause` is the core's
   * ValidationError, code `ONNXFLEET_INVALID_PROPS`).
   */
  constructor(name: string, args: ModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const { nodePool, clusterName, ...props } = args;
    const { plan, cloudPlan } = planOrThrowInputErrors(() => {
      const plan = planModelService(name, props, nodePool?.binding);
      const cloudPlan = planModelServiceCloud(plan, clusterName ?? nodePool?.clusterName);
      // The pool must hold this service's pods beside every other construct's on it (#15 item 7).
      claimServicePoolGpus(plan);
      return { plan, cloudPlan };
    });
    super("onnxfleet:index:ModelService", name, {}, withPoolProviders(opts, nodePool));
    this.plan = plan;
    this.serviceName = plan.serviceName;
    this.namespace = asInput(plan.namespace);

    const cloud = createCloudResources(this, cloudPlan.cloudResources);
    createKubernetesObjects(this, withSecretValues(plan.kubernetesObjects, props), {
      // Pods wait for their pool (nodes, device plugin): otherwise the Deployments' rollouts could time out.
      dependsOn: nodePool ? [nodePool] : [],
      // A fixed replicas is the initial count only (the core lists it).
      ignoreChanges: plan.kubernetesIgnoreChanges,
      // Pods wait for their Pod Identity association and the role's read policy (the core lists them).
      cloudDependencies: { planned: cloudPlan.kubernetesDependsOn, created: cloud },
      // Pulumi waits for a rollout as long as the plan says (its own default, 10 minutes, is shorter than the
      // progress deadline plus GPU node scale-up).
      customTimeouts: (object) => rolloutWaitTimeouts(object, plan.rolloutTimeoutSeconds),
    });
    const arnOf = (type: string) => {
      const planned = cloudPlan.cloudResources.find((r) => r.type === type);
      return planned
        ? (cloud.get(planned.logicalName) as unknown as { arn: pulumi.Output<string> }).arn
        : undefined;
    };
    this.modelReadPolicyArn = arnOf("aws:iam:Policy");
    this.podRoleArn = arnOf("aws:iam:Role");

    this.registerOutputs({
      serviceName: this.serviceName,
      namespace: this.namespace,
      modelReadPolicyArn: this.modelReadPolicyArn,
      podRoleArn: this.podRoleArn,
    });
  }
}

/** The packages whose providers a service takes from its node pool when `opts` names none. */
const POOL_PROVIDER_PACKAGES = ["aws", "kubernetes"] as const;

/**
 * `opts` with the node pool's providers beneath its own: a service on a pool runs in the pool's cluster.
 * Without this, a missing `k8s.Provider` sends the objects to whatever kubeconfig context is current (#15
 * item 12). Pulumi keys providers by package and a later entry wins, so those named in `opts` (`providers`, or
 * `provider`, which Pulumi ranks above both) override the pool's, and the pool's override the parent's.
 */
function withPoolProviders(
  opts: pulumi.ComponentResourceOptions | undefined,
  nodePool: GpuNodePool | undefined,
): pulumi.ComponentResourceOptions | undefined {
  if (nodePool === undefined) return opts;
  const inherited = POOL_PROVIDER_PACKAGES.map((pkg) => nodePool.getProvider(`${pkg}::`)).filter(
    (provider): provider is pulumi.ProviderResource => provider !== undefined,
  );
  if (inherited.length === 0) return opts;
  const given = opts?.providers;
  return {
    ...opts,
    providers: [...inherited, ...(Array.isArray(given) ? given : Object.values(given ?? {}))],
  };
}
