/**
 * Metrics the planned alerts and dashboards read besides the server's own (`SERVER_METRICS` in
 * `server-contract.ts`): the documented list of names from the cluster's exporters. A test checks that every
 * planned expression names only these and the server's, and the server's against a live `/metrics`.
 */

/**
 * kube-state-metrics (installed by kube-prometheus-stack), stable metrics. Label names: `namespace`,
 * `deployment`, `pod`, `container`, `horizontalpodautoscaler`, `phase`, `reason`, `resource`.
 * https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/horizontalpodautoscaler-metrics.md
 * https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/pod-metrics.md
 * https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/deployment-metrics.md
 */
export const KUBE_STATE_METRICS = {
  hpaCurrentReplicas: "kube_horizontalpodautoscaler_status_current_replicas",
  hpaMinReplicas: "kube_horizontalpodautoscaler_spec_min_replicas",
  hpaMaxReplicas: "kube_horizontalpodautoscaler_spec_max_replicas",
  /** EXPERIMENTAL in kube-state-metrics: the HPA's target per metric (`metric_name`, `metric_target_type`). */
  hpaTargetMetric: "kube_horizontalpodautoscaler_spec_target_metric",
  deploymentSpecReplicas: "kube_deployment_spec_replicas",
  deploymentAvailableReplicas: "kube_deployment_status_replicas_available",
  podPhase: "kube_pod_status_phase",
  containerWaitingReason: "kube_pod_container_status_waiting_reason",
  containerResourceRequests: "kube_pod_container_resource_requests",
} as const;

/**
 * NVIDIA DCGM exporter, fields of its default counters file (`/etc/dcgm-exporter/default-counters.csv`). With
 * `DCGM_EXPORTER_KUBERNETES=true` each GPU's series carries the `namespace`, `pod` and `container` of the pod
 * the kubelet assigned it to. https://github.com/NVIDIA/dcgm-exporter/blob/main/etc/default-counters.csv
 */
export const DCGM_METRICS = {
  /** GPU utilisation, percent. */
  gpuUtilization: "DCGM_FI_DEV_GPU_UTIL",
  /** Framebuffer (GPU) memory used, MiB. */
  memoryUsedMiB: "DCGM_FI_DEV_FB_USED",
  /** Framebuffer (GPU) memory free, MiB. */
  memoryFreeMiB: "DCGM_FI_DEV_FB_FREE",
} as const;

/** The extended resource name of NVIDIA GPUs as kube-state-metrics writes it in its `resource` label. */
export const KSM_NVIDIA_GPU_RESOURCE = "nvidia_com_gpu";

/** Every metric name from outside the server that a planned expression may use. */
export const CLUSTER_METRIC_NAMES: readonly string[] = [
  ...Object.values(KUBE_STATE_METRICS),
  ...Object.values(DCGM_METRICS),
];
