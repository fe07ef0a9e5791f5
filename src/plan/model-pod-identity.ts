/**
 * EKS Pod Identity for a ModelService whose models live in S3: an IAM role trusted by
 * `pods.eks.amazonaws.com`, the service's model read policy attached to it, and the association binding the
 * role to the service's ServiceAccount. Planned apart from `planModelService` because it needs the cluster's
 * name, which the ModelService props do not carry (a front-end takes it from the bound GpuNodePool).
 */
import { isKnown, type Lazy } from "../lazy";
import { modelReadPolicyName, serviceAccountName } from "../naming";
import { Validator } from "../validate";
import { plannedCloudResource } from "./cloud-resource-types";
import type { ModelServicePlan } from "./model-service";
import { type CloudResourcePlan, cloudRef } from "./types";

/** Logical names of a ModelService's Pod Identity resources: a public contract. */
export const modelPodIdentityNames = (service: string) =>
  ({
    /** IAM role the pods assume through EKS Pod Identity. */
    role: `${service}-pod-role`,
    /** Attachment of the model read policy to that role. */
    readPolicyAttachment: `${service}-pod-role-model-read`,
    /** The EKS Pod Identity association (cluster, namespace, ServiceAccount -> role). */
    association: `${service}-pod-identity`,
    /** Prefix of the role's physical name. */
    physicalNamePrefix: `${service}-`,
  }) as const;

/** Trust policy of the role: only EKS Pod Identity may assume it (and tag the session). */
export const POD_IDENTITY_TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
    },
  ],
});

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
        assumeRolePolicy: POD_IDENTITY_TRUST_POLICY,
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
