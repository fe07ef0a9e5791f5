/**
 * How a ModelService is reached: its Services, the NetworkPolicy guarding the pods, the weighted HTTPRoute of
 * a multi-version model and the ServiceMonitor of the metrics port.
 */
import {
  LABEL_VERSION,
  modelServiceLabels,
  modelServiceSelector,
  modelVersionLabels,
  modelVersionSelector,
} from "../labels";
import {
  httpRouteName,
  networkPolicyName,
  serviceMonitorName,
  serviceName,
  versionServiceName,
} from "../naming";
import type { ModelServiceSpec } from "../specs/resolve-model-service";
import {
  API_PATH_PREFIX,
  HTTP_PORT,
  HTTP_PORT_NAME,
  METRICS_PATH,
  METRICS_PORT,
  METRICS_PORT_NAME,
} from "./server-contract";
import type { KubernetesObject } from "./types";

/** Label every namespace carries with its own name (Kubernetes >= 1.22). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

const httpServicePort = {
  name: HTTP_PORT_NAME,
  port: HTTP_PORT,
  targetPort: HTTP_PORT_NAME,
  protocol: "TCP",
  appProtocol: "http",
};

/** The ClusterIP Service over every version's pods: serving and metrics ports. */
export function planService(spec: ModelServiceSpec): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: serviceName(spec.name),
      namespace: spec.namespace,
      labels: modelServiceLabels(spec.name, spec.modelName),
    },
    spec: {
      type: "ClusterIP",
      selector: modelServiceSelector(spec.name),
      ports: [
        httpServicePort,
        { name: METRICS_PORT_NAME, port: METRICS_PORT, targetPort: METRICS_PORT_NAME, protocol: "TCP" },
      ],
    },
  };
}

/** The Service of one version (a weighted backend of the HTTPRoute): serving port only. */
export function planVersionService(spec: ModelServiceSpec, version: number): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: versionServiceName(spec.name, version),
      namespace: spec.namespace,
      labels: modelVersionLabels(spec.name, spec.modelName, version),
    },
    spec: { type: "ClusterIP", selector: modelVersionSelector(spec.name, version), ports: [httpServicePort] },
  };
}

/**
 * Ingress to the serving port only from the allowed sources, to the metrics port only from the monitoring
 * namespace; nothing else. Egress stays open (the init container downloads the model).
 */
export function planNetworkPolicy(spec: ModelServiceSpec): KubernetesObject {
  const sources: Record<string, unknown>[] = [];
  if (spec.allowedSources.sameNamespace) sources.push({ podSelector: {} });
  for (const namespace of spec.allowedSources.namespaces)
    sources.push({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } });
  for (const cidr of spec.allowedSources.cidrs) sources.push({ ipBlock: { cidr } });
  sources.push(...gatewayDataPlaneSources(spec, sources));
  const ingress: Record<string, unknown>[] = [];
  if (sources.length > 0) ingress.push({ from: sources, ports: [{ protocol: "TCP", port: HTTP_PORT }] });
  ingress.push({
    from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: spec.monitoring.namespace } } }],
    ports: [{ protocol: "TCP", port: METRICS_PORT }],
  });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: networkPolicyName(spec.name),
      namespace: spec.namespace,
      labels: modelServiceLabels(spec.name, spec.modelName),
    },
    spec: {
      podSelector: { matchLabels: modelServiceSelector(spec.name) },
      policyTypes: ["Ingress"],
      ingress,
    },
  };
}

/** The HTTPRoute splitting `/v2` traffic across the versions' Services by weight. */
export function planHttpRoute(spec: ModelServiceSpec): KubernetesObject {
  const gateway = spec.gateway;
  const parentRefs = gateway
    ? [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: gateway.name,
          ...(gateway.namespace !== undefined ? { namespace: gateway.namespace } : {}),
          ...(gateway.sectionName !== undefined ? { sectionName: gateway.sectionName } : {}),
        },
      ]
    : [];
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name: httpRouteName(spec.name),
      namespace: spec.namespace,
      labels: modelServiceLabels(spec.name, spec.modelName),
    },
    spec: {
      parentRefs,
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: API_PATH_PREFIX } }],
          backendRefs: spec.versions.map((v) => ({
            group: "",
            kind: "Service",
            name: versionServiceName(spec.name, v.version),
            port: HTTP_PORT,
            weight: v.weightPercent,
          })),
        },
      ],
    },
  };
}

/** The ServiceMonitor scraping every pod's metrics port through the shared Service. */
export function planServiceMonitor(spec: ModelServiceSpec): KubernetesObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: serviceMonitorName(spec.name),
      namespace: spec.namespace,
      labels: { ...spec.monitoring.serviceMonitorLabels, ...modelServiceLabels(spec.name, spec.modelName) },
    },
    spec: {
      selector: {
        matchLabels: modelServiceSelector(spec.name),
        // Per-version Services carry the version label and no metrics port: never scrape a pod twice.
        matchExpressions: [{ key: LABEL_VERSION, operator: "DoesNotExist" }],
      },
      endpoints: [
        {
          port: METRICS_PORT_NAME,
          path: METRICS_PATH,
          scheme: "http",
          interval: `${spec.monitoring.scrapeIntervalSeconds}s`,
        },
      ],
    },
  };
}

/**
 * The Gateway's data plane (canary traffic through the HTTPRoute arrives from its proxies, not from the
 * service's namespace): its namespaces and IP ranges, minus sources already admitted.
 */
function gatewayDataPlaneSources(
  spec: ModelServiceSpec,
  admitted: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  const dataPlane = spec.weightedVersions ? spec.gateway?.dataPlane : undefined;
  if (!dataPlane) return [];
  // Keys of plain (resolved) sources only: an unresolved namespace is never inspected.
  const keyOf = (source: Record<string, unknown>): string | undefined => {
    const ns = (source.namespaceSelector as { matchLabels?: Record<string, unknown> } | undefined)
      ?.matchLabels?.[NAMESPACE_NAME_LABEL];
    if (typeof ns === "string") return `ns:${ns}`;
    const cidr = (source.ipBlock as { cidr?: unknown } | undefined)?.cidr;
    return typeof cidr === "string" ? `cidr:${cidr}` : undefined;
  };
  const seen = new Set(admitted.map(keyOf).filter((key) => key !== undefined));
  if (spec.allowedSources.sameNamespace && typeof spec.namespace === "string")
    seen.add(`ns:${spec.namespace}`);
  const candidates: Record<string, unknown>[] = [
    ...dataPlane.namespaces.map((ns) => ({
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } },
    })),
    ...dataPlane.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
  ];
  return candidates.filter((source) => {
    const key = keyOf(source);
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
