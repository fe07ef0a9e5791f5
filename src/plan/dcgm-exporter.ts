/**
 * NVIDIA's DCGM exporter on a GpuNodePool's nodes: a DaemonSet, its Service, a ServiceMonitor and a
 * NetworkPolicy. It publishes each GPU's utilisation and memory (`DCGM_FI_DEV_GPU_UTIL`, `DCGM_FI_DEV_FB_USED`,
 * ... from its default counters) labelled with the namespace, pod and container the kubelet assigned the GPU
 * to, which the ModelService dashboards and the GPU-saturation alert select by pod.
 *
 * What DCGM needs, and nothing more (the restricted Pod Security Standard cannot hold it):
 * - root and the `SYS_ADMIN` capability: DCGM's embedded host engine refuses to watch fields without them
 *   ("Host engine is running as non-root", https://github.com/NVIDIA/dcgm-exporter/issues/407; why, in
 *   https://github.com/NVIDIA/dcgm-exporter/issues/165). Every other capability is dropped, no privilege
 *   escalation, not privileged, RuntimeDefault seccomp.
 * - the kubelet's pod-resources socket directory, read-only, to map GPUs to pods (`DCGM_EXPORTER_KUBERNETES`).
 * - the GPUs themselves: it asks the NVIDIA container runtime for every GPU with `NVIDIA_VISIBLE_DEVICES=all`
 *   (as NVIDIA's CUDA-based image does) and requests no `nvidia.com/gpu`, so it takes none from the models.
 *   A node whose runtime ignores that variable for unprivileged containers shows no GPU to the exporter.
 * It never talks to the API server (no service account token), and only Prometheus' namespace may reach it.
 * Layout after NVIDIA's own chart (https://github.com/NVIDIA/dcgm-exporter/tree/main/deployment).
 */
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from "../labels";
import { gpuNodePoolNames, NODE_POOL_LABEL } from "../naming-gpu-pool-failover";
import type { GpuNodePoolSpec } from "../specs/resolve-gpu-node-pool";
import { GPU_TAINT } from "./gpu-node";
import { NAMESPACE_NAME_LABEL } from "./model-service-network";
import type { KubernetesObject } from "./types";

/** The exporter's metrics port (its default `:9400`). */
export const DCGM_EXPORTER_PORT = 9400;
/** The kubelet's pod-resources API directory on the host. */
export const KUBELET_POD_RESOURCES_DIR = "/var/lib/kubelet/pod-resources";
/** The counters file of the image: the default (non-profiling) fields. */
export const DCGM_DEFAULT_COUNTERS = "/etc/dcgm-exporter/default-counters.csv";

/** The exporter's DaemonSet, Service, ServiceMonitor and NetworkPolicy, on the pool's nodes only. */
export function planDcgmExporter(spec: GpuNodePoolSpec): KubernetesObject[] {
  const options = spec.dcgmExporter;
  const name = gpuNodePoolNames(spec.name).dcgmExporter;
  const namespace = options.namespace;
  const selector = { [LABEL_NAME]: "dcgm-exporter", [LABEL_INSTANCE]: spec.name };
  const labels = { ...selector, [LABEL_COMPONENT]: "gpu-metrics", [LABEL_MANAGED_BY]: MANAGED_BY };
  const metadata = { name, namespace, labels };
  const daemonSet: KubernetesObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata,
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [NODE_POOL_LABEL]: spec.name },
          // The pool's own taint (the same toleration a ModelService's pods get from the binding).
          tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "dcgm-exporter",
              image: options.image,
              args: ["-f", DCGM_DEFAULT_COUNTERS],
              env: [
                { name: "DCGM_EXPORTER_KUBERNETES", value: "true" },
                { name: "DCGM_EXPORTER_LISTEN", value: `:${DCGM_EXPORTER_PORT}` },
                { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
              ],
              ports: [{ name: "metrics", containerPort: DCGM_EXPORTER_PORT, protocol: "TCP" }],
              securityContext: {
                runAsUser: 0,
                runAsNonRoot: false,
                privileged: false,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
              },
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
              readinessProbe: {
                httpGet: { path: "/health", port: DCGM_EXPORTER_PORT },
                initialDelaySeconds: 15,
              },
              livenessProbe: {
                httpGet: { path: "/health", port: DCGM_EXPORTER_PORT },
                initialDelaySeconds: 45,
                periodSeconds: 10,
              },
              volumeMounts: [{ name: "pod-resources", mountPath: KUBELET_POD_RESOURCES_DIR, readOnly: true }],
            },
          ],
          volumes: [
            { name: "pod-resources", hostPath: { path: KUBELET_POD_RESOURCES_DIR, type: "Directory" } },
          ],
        },
      },
    },
  };
  const service: KubernetesObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata,
    spec: {
      type: "ClusterIP",
      selector,
      ports: [{ name: "metrics", port: DCGM_EXPORTER_PORT, targetPort: "metrics", protocol: "TCP" }],
    },
  };
  const serviceMonitor: KubernetesObject = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { ...metadata, labels: { ...options.serviceMonitorLabels, ...labels } },
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [
        {
          port: "metrics",
          path: "/metrics",
          interval: `${options.scrapeIntervalSeconds}s`,
          // The exporter's own `namespace`, `pod` and `container` labels name the pod using the GPU: keep
          // them over the scrape target's (the exporter pod), so dashboards select GPUs by model pod.
          honorLabels: true,
        },
      ],
    },
  };
  const networkPolicy: KubernetesObject = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata,
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: options.monitoringNamespace } } },
          ],
          ports: [{ protocol: "TCP", port: DCGM_EXPORTER_PORT }],
        },
      ],
    },
  };
  return [daemonSet, service, serviceMonitor, networkPolicy];
}
