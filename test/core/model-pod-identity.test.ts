import { describe, expect, it } from "vitest";
import * as core from "../../src/index";
import { planModelPodIdentity, planModelServiceCloud } from "../../src/plan/model-pod-identity";
import { planModelService } from "../../src/plan/model-service";

const sha256 = "a".repeat(64);
const s3Service = planModelService("resnet", {
  model: { name: "resnet50", uri: "s3://models/r/1/model.onnx", sha256 },
});

describe("planModelPodIdentity", () => {
  it("plans a role trusted by EKS Pod Identity, the read policy attached, and the association", () => {
    const plans = planModelPodIdentity(s3Service, "prod");
    expect(plans.map((p) => `${p.type} ${p.logicalName}`)).toEqual([
      "aws:iam:Role resnet-pod-role",
      "aws:iam:RolePolicyAttachment resnet-pod-role-model-read",
      "aws:eks:PodIdentityAssociation resnet-pod-identity",
    ]);
    expect(plans[1]?.properties).toEqual({
      role: { $ref: "resnet-pod-role", attribute: "name" },
      policyArn: { $ref: "resnet-model-read", attribute: "arn" },
    });
    expect(plans[2]?.properties).toEqual({
      clusterName: "prod",
      namespace: "default",
      serviceAccount: "resnet",
      roleArn: { $ref: "resnet-pod-role", attribute: "arn" },
    });
  });

  it("plans nothing for a model outside S3, or when the user brings a role (IRSA)", () => {
    const https = planModelService("resnet", {
      model: { name: "r", uri: "https://example.com/m.onnx", sha256 },
    });
    expect(planModelPodIdentity(https, "prod")).toEqual([]);
    const irsa = planModelService("resnet", {
      model: { name: "r", uri: "s3://models/r/1/model.onnx", sha256 },
      serviceAccountRoleArn: "arn:aws:iam::123456789012:role/reader",
    });
    expect(planModelPodIdentity(irsa, undefined)).toEqual([]);
  });

  it("accepts an unresolved cluster name and asks for one when missing", () => {
    const unresolved = Promise.resolve("prod");
    expect(planModelPodIdentity(s3Service, unresolved)[2]?.properties.clusterName).toBe(unresolved);
    expect(() => planModelPodIdentity(s3Service, undefined)).toThrow(
      /^ModelService "resnet": clusterName is required when the model is read from S3/,
    );
    expect(() => planModelPodIdentity(s3Service, "")).toThrow(/clusterName is required/);
  });
});

// #15 item 5: EKS sets the Pod Identity credentials when a pod is admitted, only if the association exists
// then: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html
describe("planModelServiceCloud: pods wait for their credentials", () => {
  it("makes every Deployment wait for the read policy, the role, its attachment and the association", () => {
    const canary = planModelService("resnet", {
      model: {
        name: "r",
        versions: [
          { version: 1, uri: "s3://models/r/1/model.onnx", sha256, weightPercent: 50 },
          { version: 2, uri: "s3://models/r/2/model.onnx", sha256, weightPercent: 50 },
        ],
      },
      gateway: { name: "gw" },
    });
    const cloud = planModelServiceCloud(canary, "prod");
    expect(cloud.cloudResources.map((r) => r.logicalName)).toEqual([
      "resnet-model-read",
      "resnet-pod-role",
      "resnet-pod-role-model-read",
      "resnet-pod-identity",
    ]);
    expect(
      cloud.kubernetesDependsOn.map(({ object, cloudResources }) => ({ object, cloudResources })),
    ).toEqual(
      ["resnet-v1", "resnet-v2"].map((name) => ({
        object: { kind: "Deployment", name },
        cloudResources: [
          "resnet-model-read",
          "resnet-pod-role",
          "resnet-pod-role-model-read",
          "resnet-pod-identity",
        ],
      })),
    );
  });

  it("records no wait when nothing is planned outside Kubernetes", () => {
    const https = planModelService("resnet", {
      model: { name: "r", uri: "https://example.com/m.onnx", sha256 },
    });
    expect(planModelServiceCloud(https, undefined)).toEqual({ cloudResources: [], kubernetesDependsOn: [] });
  });
});

describe("the core entry point", () => {
  it("exports the Pod Identity planner, its names and its trust policy", () => {
    expect(core.planModelPodIdentity).toBe(planModelPodIdentity);
    expect(core.modelPodIdentityNames("resnet").role).toBe("resnet-pod-role");
    expect(core.podIdentityTrustPolicy("123456789012", "prod", "inference", "resnet").Statement).toEqual([
      {
        Sid: "EksPodIdentityForThisServiceAccountOnly",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": "123456789012",
            "aws:RequestTag/eks-cluster-name": "prod",
            "aws:RequestTag/kubernetes-namespace": "inference",
            "aws:RequestTag/kubernetes-service-account": "resnet",
          },
        },
      },
    ]);
  });
});
