/**
 * EKS Pod Identity for a ModelService whose models live in S3: an IAM role trusted by
 * `pods.eks.amazonaws.com`, the service's model read policy attached to it, and the association binding the
 * role to the service's ServiceAccount. Planned apart from `planModelService` because it needs the cluster's
 * name, which the ModelService props do not carry (a front-end takes it from the bound GpuNodePool).
 */
import { isKnown, type Lazy } from "../lazy";
import { modelReadPolicyName, serviceAccountName } from "../naming";
import { fitName, IAM_ROLE_NAME_PREFIX_MAX_LENGTH } from "../naming-aws-limits";
import { Validator } from "../validate";
import { plannedCloudResource } from "./cloud-resource-types";
import type { ModelServicePlan } from "./model-service";
import {
  type CloudResourcePlan,
  type CloudResourceRef,
  cloudRef,
  type KubernetesCloudDependency,
} from "./types";

/** Logical names of a ModelService's Pod Identity resources: a public contract. */
export const modelPodIdentityNames = (service: string) =>
  ({
    /** IAM role the pods assume through EKS Pod Identity. */
    role: `${service}-pod-role`,
    /** Attachment of the model read policy to that role. */
    readPolicyAttachment: `${service}-pod-role-model-read`,
    /** The EKS Pod Identity association (cluster, namespace, ServiceAccount -> role). */
    association: `${service}-pod-identity`,
    /**
     * Prefix of the role's physical name: `<service>-`, shortened with a hash when over IAM's 38 characters
     * (#15 item 3).
     */
    physicalNamePrefix: fitName(`${service}-`, IAM_ROLE_NAME_PREFIX_MAX_LENGTH, "-"),
  }) as const;

/**
 * Trust policy of the role: EKS Pod Identity may assume it (and tag the session) only for this account,
 * cluster, namespace and ServiceAccount. Pod Identity sets the `eks-cluster-name`, `kubernetes-namespace`
 * and `kubernetes-service-account` session tags itself, so any other association in the account is refused:
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html and
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html. An object, not JSON text, because the
 * cluster, the namespace and the account are known only at deployment: the front-end encodes it (Pulumi's
 * `PolicyDocument` input, CDKTF `Fn.jsonencode`).
 */
export function podIdentityTrustPolicy(
  accountId: Lazy<string> | CloudResourceRef,
  clusterName: Lazy<string>,
  namespace: Lazy<string>,
  serviceAccount: string,
) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EksPodIdentityForThisServiceAccountOnly",
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": accountId,
            "aws:RequestTag/eks-cluster-name": clusterName,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
          },
        },
      },
    ],
  } as const;
}

/** The service principal of EKS Pod Identity. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * Plans the Pod Identity role and association for `service`. Returns none when the service reads nothing
 * from S3, or when the user supplied `serviceAccountRoleArn` (IRSA: their role, their policy).
 * @param clusterName the EKS cluster the service runs in; required when a role must be planned.
 * @throws ValidationError when a role is needed and `clusterName` is missing.
 */
export function planModelPodIdentity(
  service: ModelServicePlan,
  clusterName: Lazy<string> | undefined,
): CloudResourcePlan[] {
  if (!service.s3ReadAccess || service.spec.serviceAccountRoleArn !== undefined) return [];
  const check = new Validator("ModelService", service.name);
  check.that(
    clusterName !== undefined && (!isKnown(clusterName) || clusterName !== ""),
    "clusterName",
    "is required when the model is read from S3: bind the service to a GpuNodePool (nodePool), give " +
      "clusterName, or give serviceAccountRoleArn (a role you manage)",
  );
  check.throwIfAny();
  const names = modelPodIdentityNames(service.name);
  return [
    plannedCloudResource({
      type: "aws:iam:Role",
      logicalName: names.role,
      properties: {
        namePrefix: names.physicalNamePrefix,
        description: `Pods of the onnxfleet ModelService "${service.name}": read its model files`,
        // The account of the model read policy, created just before in the same account as the role.
        assumeRolePolicy: podIdentityTrustPolicy(
          cloudRef(modelReadPolicyName(service.name), "arn", { as: "arnAccountId" }),
          clusterName as Lazy<string>,
          service.namespace,
          serviceAccountName(service.name),
        ),
      },
    }),
    plannedCloudResource({
      type: "aws:iam:RolePolicyAttachment",
      logicalName: names.readPolicyAttachment,
      properties: {
        role: cloudRef(names.role, "name"),
        policyArn: cloudRef(modelReadPolicyName(service.name), "arn"),
      },
    }),
    plannedCloudResource({
      type: "aws:eks:PodIdentityAssociation",
      logicalName: names.association,
      properties: {
        clusterName,
        namespace: service.namespace,
        serviceAccount: serviceAccountName(service.name),
        roleArn: cloudRef(names.role, "arn"),
      },
    }),
  ];
}

/** A ModelService's cloud side: what to create, and which Kubernetes objects wait for it. */
export interface ModelServiceCloudPlan {
  /** The model read policy (S3 models), then the Pod Identity role, attachment and association, in order. */
  readonly cloudResources: readonly CloudResourcePlan[];
  /**
   * Each Deployment waits for every cloud resource above: EKS sets a pod's Pod Identity credentials
   * (environment variables) when the pod is admitted, and only if the association exists then
   * (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html: "If a pod
   * uses a service account that has an association, Amazon EKS sets environment variables in the containers
   * of the pod"); a pod admitted earlier never gets them and its model fetch fails. The role must also hold
   * the read policy by then. Empty when nothing is planned.
   */
  readonly kubernetesDependsOn: readonly KubernetesCloudDependency[];
}

/**
 * Plans everything a ModelService needs outside Kubernetes ({@link planModelPodIdentity} plus the read
 * policy), and the order its pods must respect. Front-ends create `cloudResources` and make each object of
 * `kubernetesDependsOn` wait for them.
 * @throws ValidationError as {@link planModelPodIdentity}.
 */
export function planModelServiceCloud(
  service: ModelServicePlan,
  clusterName: Lazy<string> | undefined,
): ModelServiceCloudPlan {
  const cloudResources = [...service.cloudResources, ...planModelPodIdentity(service, clusterName)];
  if (cloudResources.length === 0) return { cloudResources, kubernetesDependsOn: [] };
  const names = cloudResources.map((resource) => resource.logicalName);
  return {
    cloudResources,
    kubernetesDependsOn: service.versions.map((version) => ({
      object: { kind: "Deployment", name: version.deploymentName },
      cloudResources: names,
      reason:
        "pods get their EKS Pod Identity credentials only if the association (and the role's read policy) " +
        "exists when they are admitted",
    })),
  };
}
