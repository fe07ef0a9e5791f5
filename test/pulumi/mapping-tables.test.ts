import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AWS_RESOURCES, cloudMappingOf, createCloudResource } from "../../constructs/pulumi/cloud-resources";
import { createKubernetesObjects } from "../../constructs/pulumi/create-planned";
import { kubernetesClassOf } from "../../constructs/pulumi/kubernetes-objects";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { CLOUD_RESOURCE_TYPES, type CloudResourceType } from "../../src/plan/cloud-resource-types";
import { planModelService } from "../../src/plan/model-service";
import { type CloudResourcePlan, type KubernetesObject, replaceCloudRefs } from "../../src/plan/types";
import { parseTopology, planTopology } from "../../src/render";
import { autoscaledEndpoint, modelService } from "../core/support/arbitraries";
import { oneOfEachType } from "../core/support/planned-cloud-resources";
import { recordResources } from "./harness";

const object = (apiVersion: string, kind: string): KubernetesObject => ({
  apiVersion,
  kind,
  metadata: { name: "x" },
});

/**
 * Every apiVersion/kind the core plans: ModelService and AutoscaledEndpoint plans over generated props
 * (canaries, ServiceMonitors and alerts, KEDA, NLBs), and the example topology files (managed and
 * Karpenter GPU pools, device plugin).
 */
function plannedKinds(): Map<string, KubernetesObject> {
  const kinds = new Map<string, KubernetesObject>();
  const add = (objects: readonly KubernetesObject[]) => {
    for (const o of objects) kinds.set(`${o.apiVersion} ${o.kind}`, o);
  };
  // An autoscaled service leaves replicas to its endpoint (the core refuses both).
  const serviceAndEndpoint = modelService
    .filter((service) => service.props.replicas === undefined)
    .chain((service) => {
      const budget = service.props.disruptionBudget;
      const minAvailable = budget && "minAvailable" in budget ? budget.minAvailable : undefined;
      const weighted = service.props.model.versions !== undefined && service.props.model.versions.length > 1;
      return autoscaledEndpoint(minAvailable, !weighted, service.props.auth !== undefined).map(
        (endpoint) => ({ service, endpoint }),
      );
    });
  fc.assert(
    fc.property(serviceAndEndpoint, ({ service, endpoint }) => {
      const servicePlan = planModelService(service.name, service.props, service.binding);
      add(servicePlan.kubernetesObjects);
      add(planAutoscaledEndpoint(service.name, endpoint, servicePlan).kubernetesObjects);
    }),
    { numRuns: 300, seed: 18 },
  );
  for (const file of ["gpu-pools.yaml", "resnet.yaml"]) {
    const text = readFileSync(new URL(`../../examples/topology/${file}`, import.meta.url), "utf8");
    add(planTopology(parseTopology(text, file)).kubernetesObjects);
  }
  return kinds;
}

describe("every Kubernetes kind the core can plan has a @pulumi/kubernetes mapping", () => {
  const kinds = plannedKinds();

  it("collects the planners' kinds (typed and custom resources alike)", () => {
    expect([...kinds.keys()]).toEqual(
      expect.arrayContaining([
        "apps/v1 Deployment",
        "keda.sh/v1alpha1 ScaledObject",
        "karpenter.sh/v1 NodePool",
      ]),
    );
  });

  it.each([...kinds.keys()].sort())("%s maps to a class", (key) => {
    expect(() => kubernetesClassOf(kinds.get(key) as KubernetesObject)).not.toThrow();
  });
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
  const recording = recordResources();
  const pulumiTypes: Record<CloudResourceType, string> = {
    "aws:iam:Role": "aws:iam/role:Role",
    "aws:iam:RolePolicyAttachment": "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam:Policy": "aws:iam/policy:Policy",
    "aws:iam:RolePolicy": "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2:LaunchTemplate": "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:eks:NodeGroup": "aws:eks/nodeGroup:NodeGroup",
    "aws:eks:PodIdentityAssociation": "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:route53:HealthCheck": "aws:route53/healthCheck:HealthCheck",
    "aws:route53:Record": "aws:route53/record:Record",
    "aws:cloudwatch:MetricAlarm": "aws:cloudwatch/metricAlarm:MetricAlarm",
  };

  it("has one typed mapping per planned type", () => {
    expect(Object.keys(AWS_RESOURCES).sort()).toEqual([...CLOUD_RESOURCE_TYPES].sort());
  });

  it.each(CLOUD_RESOURCE_TYPES)("%s is created with its @pulumi/aws class", async (type) => {
    recording.reset();
    const plan = oneOfEachType().get(type) as CloudResourcePlan;
    const properties = replaceCloudRefs(plan.properties, (ref) =>
      pulumi.output(`${ref.$ref}.${ref.attribute}`),
    );
    createCloudResource(plan, properties as Record<string, unknown>, {});
    await recording.settle();
    expect(recording.resources.map((r) => [r.type, r.name])).toEqual([[pulumiTypes[type], plan.logicalName]]);
  });

  it("gives a record its one routing policy as Pulumi's one-element list", async () => {
    recording.reset();
    const plan = oneOfEachType().get("aws:route53:Record") as CloudResourcePlan;
    const properties = { ...plan.properties, healthCheckId: "hc" };
    createCloudResource({ ...plan, logicalName: "r" }, properties, {});
    await recording.settle();
    const record = recording.get("aws:route53/record:Record", "r");
    expect(record.inputs.failoverRoutingPolicies).toEqual([{ type: "PRIMARY" }]);
    expect(record.inputs).not.toHaveProperty("failoverRoutingPolicy");
  });

  it("refuses a type it has no mapping for", () => {
    expect(() => cloudMappingOf({ type: "aws:s3:Bucket", logicalName: "b", properties: {} })).toThrow(
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
