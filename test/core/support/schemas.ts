/**
 * Validates planned Kubernetes objects against the upstream schemas (kubernetes-models and the
 * @kubernetes-models packages for KEDA, Gateway API and prometheus-operator CRDs).
 */

import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1";
import { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import {
  PrometheusRule,
  ServiceMonitor,
} from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { DaemonSet, Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import type { KubernetesObject } from "../../../src/plan/types";

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  "v1/ServiceAccount": ServiceAccount as unknown as Model,
  "v1/ConfigMap": ConfigMap as unknown as Model,
  "v1/Secret": Secret as unknown as Model,
  "v1/Service": Service as unknown as Model,
  "apps/v1/Deployment": Deployment as unknown as Model,
  "apps/v1/DaemonSet": DaemonSet as unknown as Model,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as Model,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy as unknown as Model,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler as unknown as Model,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject as unknown as Model,
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRoute as unknown as Model,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor as unknown as Model,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule as unknown as Model,
  "karpenter.sh/v1/NodePool": NodePool as unknown as Model,
  "karpenter.k8s.aws/v1/EC2NodeClass": EC2NodeClass as unknown as Model,
};

/** Throws when `object` breaks its upstream schema, or when no schema is known for its kind. */
export function validateAgainstUpstreamSchema(object: KubernetesObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no upstream schema registered for ${key}`);
  // The models copy the data; validate() throws with the failing paths.
  new Model(structuredClone(object) as never).validate();
}
