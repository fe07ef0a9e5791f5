/**
 * Maps the core's planned Kubernetes objects (plain JSON) onto `@pulumi/kubernetes` resources: typed classes
 * for built-in kinds, `apiextensions.CustomResource` for custom resources. The object is passed as the
 * resource's args unchanged, so what Pulumi applies is exactly what the core planned.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject, NamespaceLabelsPlan } from "../../src/plan/types";

/** A `@pulumi/kubernetes` resource class: `new (name, args, opts)`. */
type KubernetesResourceClass = new (
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the object's own shape is checked by the core's tests.
  args: any,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

/** Built-in kinds, keyed by `apiVersion/kind`, and the typed class that creates each. */
export const TYPED_KUBERNETES_CLASSES: Readonly<Record<string, KubernetesResourceClass>> = {
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/Service": k8s.core.v1.Service,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "apps/v1/DaemonSet": k8s.apps.v1.DaemonSet,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
};

/**
 * Custom resource kinds the core may plan, by API group: created as `apiextensions.CustomResource`. Their
 * definitions (KEDA, Gateway API, Prometheus Operator, Karpenter) must already be installed in the cluster.
 */
export const CUSTOM_RESOURCE_KINDS: Readonly<Record<string, readonly string[]>> = {
  "keda.sh": ["ScaledObject"],
  "gateway.networking.k8s.io": ["HTTPRoute"],
  "monitoring.coreos.com": ["ServiceMonitor", "PrometheusRule"],
  "karpenter.sh": ["NodePool"],
  "karpenter.k8s.aws": ["EC2NodeClass"],
};

function isPlannedCustomResource(object: KubernetesObject): boolean {
  const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
  return (CUSTOM_RESOURCE_KINDS[group ?? ""] ?? []).includes(object.kind);
}

/** The class that creates `object`, or an error naming the unmapped kind (a bug in onnxfleet). */
export function kubernetesClassOf(object: KubernetesObject): KubernetesResourceClass {
  const typed = TYPED_KUBERNETES_CLASSES[`${object.apiVersion}/${object.kind}`];
  if (typed) return typed;
  if (isPlannedCustomResource(object)) return k8s.apiextensions.CustomResource;
  throw new Error(
    `onnxfleet/pulumi has no mapping for Kubernetes ${object.apiVersion} ${object.kind} ` +
      `("${object.metadata.name}"); this is a bug in onnxfleet, please report it`,
  );
}

/** Creates one planned Kubernetes object as a `@pulumi/kubernetes` resource named `logicalName`. */
export function createKubernetesObject(
  logicalName: string,
  object: KubernetesObject,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const ResourceClass = kubernetesClassOf(object);
  return new ResourceClass(logicalName, object, opts);
}

/**
 * Adds the planned labels to an existing namespace with a server-side apply patch: only these fields are
 * Pulumi's, and deleting the resource takes only them away, never the namespace.
 */
export function createNamespaceLabels(
  parent: pulumi.Resource,
  plan: NamespaceLabelsPlan,
): k8s.core.v1.NamespacePatch {
  return new k8s.core.v1.NamespacePatch(
    plan.logicalName,
    { metadata: { name: plan.namespace as pulumi.Input<string>, labels: { ...plan.labels } } },
    { parent },
  );
}
