import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AWS_CLASSES, cloudClassOf } from "../../constructs/pulumi/cloud-resources";
import { createKubernetesObjects } from "../../constructs/pulumi/create-planned";
import { kubernetesClassOf } from "../../constructs/pulumi/kubernetes-objects";
import type { KubernetesObject } from "../../src/plan/types";

const object = (apiVersion: string, kind: string): KubernetesObject => ({
  apiVersion,
  kind,
  metadata: { name: "x" },
});

describe("Kubernetes kind -> @pulumi/kubernetes class", () => {
  it.each([
    ["v1", "ServiceAccount", k8s.core.v1.ServiceAccount],
    ["v1", "ConfigMap", k8s.core.v1.ConfigMap],
    ["v1", "Service", k8s.core.v1.Service],
    ["apps/v1", "Deployment", k8s.apps.v1.Deployment],
    ["apps/v1", "DaemonSet", k8s.apps.v1.DaemonSet],
    ["policy/v1", "PodDisruptionBudget", k8s.policy.v1.PodDisruptionBudget],
    ["networking.k8s.io/v1", "NetworkPolicy", k8s.networking.v1.NetworkPolicy],
    ["autoscaling/v2", "HorizontalPodAutoscaler", k8s.autoscaling.v2.HorizontalPodAutoscaler],
  ])("%s %s is created with its typed class", (apiVersion, kind, expected) => {
    expect(kubernetesClassOf(object(apiVersion, kind))).toBe(expected);
  });

  it.each([
    ["keda.sh/v1alpha1", "ScaledObject"],
    ["gateway.networking.k8s.io/v1", "HTTPRoute"],
    ["monitoring.coreos.com/v1", "ServiceMonitor"],
    ["karpenter.sh/v1", "NodePool"],
    ["karpenter.k8s.aws/v1", "EC2NodeClass"],
  ])("%s %s is a CustomResource", (apiVersion, kind) => {
    expect(kubernetesClassOf(object(apiVersion, kind))).toBe(k8s.apiextensions.CustomResource);
  });

  it("refuses a kind it has no mapping for, rather than guessing", () => {
    expect(() => kubernetesClassOf(object("batch/v1", "Job"))).toThrow(
      'onnxfleet/pulumi has no mapping for Kubernetes batch/v1 Job ("x")',
    );
    expect(() => kubernetesClassOf(object("apps/v1beta1", "Deployment"))).toThrow(/no mapping/);
  });
});

describe("planned cloud resource type -> @pulumi/aws class", () => {
  it("maps every planned type onto its @pulumi/aws class", () => {
    expect(AWS_CLASSES).toEqual({
      "aws:eks:NodeGroup": aws.eks.NodeGroup,
      "aws:eks:PodIdentityAssociation": aws.eks.PodIdentityAssociation,
      "aws:ec2:LaunchTemplate": aws.ec2.LaunchTemplate,
      "aws:iam:Role": aws.iam.Role,
      "aws:iam:RolePolicyAttachment": aws.iam.RolePolicyAttachment,
      "aws:iam:Policy": aws.iam.Policy,
      "aws:iam:RolePolicy": aws.iam.RolePolicy,
      "aws:route53:HealthCheck": aws.route53.HealthCheck,
      "aws:route53:Record": aws.route53.Record,
    });
  });

  it("refuses a type it has no mapping for", () => {
    expect(() => cloudClassOf({ type: "aws:s3:Bucket", logicalName: "b", properties: {} })).toThrow(
      'onnxfleet/pulumi has no mapping for cloud resource type aws:s3:Bucket ("b")',
    );
  });
});

describe("planned ignored fields -> ignoreChanges", () => {
  it("refuses an entry that names no planned object, before creating anything", () => {
    const ignoreChanges = [
      { object: { kind: "Deployment", name: "y" }, fields: ["spec.replicas"], reason: "autoscaler" },
    ];
    expect(() =>
      createKubernetesObjects({} as pulumi.Resource, [object("apps/v1", "Deployment")], { ignoreChanges }),
    ).toThrow("ignored fields name unplanned Deployment/y; this is a bug in onnxfleet");
  });
});
