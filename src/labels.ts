/**
 * Labels on every planned object: the Kubernetes recommended `app.kubernetes.io/*` labels. Selector labels are
 * a subset that never changes for the life of a Deployment (selectors are immutable).
 *
 * - `app.kubernetes.io/name`: the model name (`resnet50`)
 * - `app.kubernetes.io/instance`: the ModelService's name (or the AutoscaledEndpoint's, on its own objects)
 * - `app.kubernetes.io/version`: the model version, on objects of one version only
 * - `app.kubernetes.io/component`: `model-server` (ModelService objects) or `endpoint` (AutoscaledEndpoint)
 * - `app.kubernetes.io/managed-by`: `onnxfleet`
 */

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_INSTANCE = "app.kubernetes.io/instance";
export const LABEL_VERSION = "app.kubernetes.io/version";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";

export const MANAGED_BY = "onnxfleet";
export const COMPONENT_MODEL_SERVER = "model-server";
export const COMPONENT_ENDPOINT = "endpoint";

export type Labels = Readonly<Record<string, string>>;

/** Labels of a ModelService's objects shared by all versions (ServiceAccount, ConfigMap, Service ...). */
export function modelServiceLabels(service: string, modelName: string): Labels {
  return {
    [LABEL_NAME]: modelName,
    [LABEL_INSTANCE]: service,
    [LABEL_COMPONENT]: COMPONENT_MODEL_SERVER,
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
}

/** Labels of one version's objects (Deployment, its pods, PodDisruptionBudget, per-version Service). */
export function modelVersionLabels(service: string, modelName: string, version: number): Labels {
  return { ...modelServiceLabels(service, modelName), [LABEL_VERSION]: String(version) };
}

/** Selects every server pod of a ModelService, all versions. */
export function modelServiceSelector(service: string): Labels {
  return { [LABEL_INSTANCE]: service, [LABEL_COMPONENT]: COMPONENT_MODEL_SERVER };
}

/** Selects the server pods of one model version (a Deployment's selector). */
export function modelVersionSelector(service: string, version: number): Labels {
  return { ...modelServiceSelector(service), [LABEL_VERSION]: String(version) };
}

/** Labels of an AutoscaledEndpoint's own objects (autoscalers, load balancer Service). */
export function endpointLabels(endpoint: string, modelName: string): Labels {
  return {
    [LABEL_NAME]: modelName,
    [LABEL_INSTANCE]: endpoint,
    [LABEL_COMPONENT]: COMPONENT_ENDPOINT,
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
}
