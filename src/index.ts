/**
 * `onnxfleet`: the framework-neutral core. Props types, validation (`ValidationError`), the pure planners
 * (`plan*`), naming rules, the GPU catalog, the failover math and `onnxfleet render`'s API. Every name is
 * listed here on purpose: the API report (etc/onnxfleet.api.md) records it, and `npm test` checks it.
 */

// Capacity from a measured profile (docs/capacity.md).
export {
  type CapacityDemand,
  type CapacityResult,
  type CapacitySupply,
  deriveEndpointCapacity,
  type EndpointCapacity,
} from "./capacity/endpoint-capacity";
export {
  type FailoverBudget,
  type FailoverTiming,
  failoverBudget,
  meetsFailoverBudget,
  worstCaseFailoverSeconds,
} from "./capacity/failover";
export { type GpuPoolCapacity, gpuPoolCapacity } from "./capacity/gpu-pool";
export { inflightTarget } from "./capacity/inflight-target";
export { type NPlusOneVerdict, nPlusOne, type RegionCapacity } from "./capacity/n-plus-one";
export { type NodeCount, nodesForReplicas, replicasOnNodes } from "./capacity/nodes";
export {
  type CapacityProfile,
  isCapacityProfile,
  PROFILE_FORMAT,
  type ProfileLatency,
  type ProfileMachine,
  type ProfilePoint,
  type ProfileServer,
  profileProblems,
} from "./capacity/profile";
export { type LoadedProfile, loadProfile } from "./capacity/profile-file";
export {
  deriveReplicas,
  type ReplicaBounds,
  type ReplicaInputs,
  replicasFor,
  survivingZoneReplicas,
} from "./capacity/replicas";
export {
  type BatchingSetting,
  hasBatchingSetting,
  recommendBatching,
  type SloThroughput,
  throughputAtSlo,
} from "./capacity/slo-throughput";
export {
  type EndpointReport,
  type FailoverReport,
  type TopologyReport,
  topologyReport,
  type UsdRange,
} from "./capacity/topology-report";
export { AWS_REGIONS, type AwsRegion, isAwsRegion } from "./catalog/aws-regions";
export {
  explainNonGpuInstanceType,
  findGpuInstanceType,
  GPU_INSTANCE_FAMILIES,
  GPU_INSTANCE_TYPES,
  type GpuInstanceType,
  type GpuModel,
} from "./catalog/gpu-instance-types";
export {
  GPU_PRICES_AS_OF,
  GPU_PRICES_REGION,
  GPU_PRICES_SOURCE,
  type OnDemandPrice,
  onDemandPrice,
  onDemandUsdPerHour,
} from "./catalog/gpu-prices";
export {
  ROUTE53_HEALTH_CHECKER_GLOBAL_RANGES,
  ROUTE53_HEALTH_CHECKER_RANGES_AS_OF,
  ROUTE53_HEALTH_CHECKER_REGION_RANGES,
  ROUTE53_HEALTH_CHECKER_REGIONS,
  type Route53HealthCheckerRegion,
  route53HealthCheckerRanges,
} from "./catalog/route53-health-checkers";
export { ERROR_CODES, type ErrorCode, OnnxfleetError, type Problem, ValidationError } from "./errors";
export {
  COMPONENT_ENDPOINT,
  COMPONENT_MODEL_SERVER,
  endpointLabels,
  LABEL_COMPONENT,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_VERSION,
  type Labels,
  MANAGED_BY,
  modelServiceLabels,
  modelServiceSelector,
  modelVersionLabels,
  modelVersionSelector,
} from "./labels";
export { isKnown, isUnresolved, type Lazy, type Unresolved } from "./lazy";
export {
  authTokenSecretName,
  autoscalerName,
  configMapName,
  dashboardConfigMapName,
  deploymentName,
  httpRouteName,
  loadBalancerNetworkPolicyName,
  loadBalancerServiceName,
  MODEL_VERSION_MAX,
  modelConfigKey,
  modelReadPolicyName,
  NAME_MAX_LENGTH,
  networkPolicyName,
  prometheusRuleName,
  serviceAccountName,
  serviceMonitorName,
  serviceName,
  versionServiceName,
} from "./naming";
export {
  DEVICE_PLUGIN_NAMESPACE,
  GPU_NODE_POOL_NAME_MAX_LENGTH,
  gpuNodePoolNames,
  multiRegionFailoverNames,
  NODE_POOL_LABEL,
} from "./naming-gpu-pool-failover";
export {
  type AutoscaledEndpointPlan,
  defaultInflightQuery,
  inferenceScalingBehavior,
  type LoadBalancerHostnameSource,
  type PrometheusAdapterRulePlan,
  planAutoscaledEndpoint,
  targetQuantity,
} from "./plan/autoscaled-endpoint";
export { CLUSTER_METRIC_NAMES, DCGM_METRICS, KUBE_STATE_METRICS } from "./plan/cluster-metrics";
export { containerVolumeDevice, GPU_TAINT, NVIDIA_GPU_RESOURCE, nodeLabels } from "./plan/gpu-node";
export { type GpuNodePoolPlan, NODE_ROLE_MANAGED_POLICIES, planGpuNodePool } from "./plan/gpu-node-pool";
export { GRAFANA_DASHBOARD_LABEL, genericModelServiceDashboard } from "./plan/grafana-dashboard";
export {
  EKS_CLUSTER_SECURITY_GROUP_TAG,
  KARPENTER_DISCOVERY_TAG,
  planKarpenterObjects,
} from "./plan/karpenter-node-pool";
export { OPT_OUTS_ANNOTATION } from "./plan/load-balancer";
export { type ServerModelConfig, serverModelConfig } from "./plan/model-config";
export {
  type ModelServiceCloudPlan,
  modelPodIdentityNames,
  POD_IDENTITY_PRINCIPAL,
  planModelPodIdentity,
  planModelServiceCloud,
  podIdentityTrustPolicy,
} from "./plan/model-pod-identity";
export {
  AUTH_TOKEN_VALUE_REF,
  IRSA_ROLE_ANNOTATION,
  type ModelServicePlan,
  type ModelVersionPlan,
  planModelService,
  type S3ReadAccess,
  type ServerPorts,
} from "./plan/model-service";
export { type MultiRegionFailoverPlan, planMultiRegionFailover } from "./plan/multi-region-failover";
export {
  KUBELET_DEVICE_PLUGIN_DIR,
  needsDevicePlugin,
  planNvidiaDevicePlugin,
} from "./plan/nvidia-device-plugin";
export { prometheusAdapterRule, prometheusAdapterRuleYaml } from "./plan/prometheus-adapter";
export { MODEL_SERVICE_ALERTS, type ModelServiceAlert } from "./plan/prometheus-rule";
export {
  HTTP_PORT,
  INFLIGHT_REQUESTS_METRIC,
  LATENCY_BUCKETS_SECONDS,
  LIVE_PATH,
  METRICS_PORT,
  READY_PATH,
  REQUEST_OUTCOMES,
  type RequestOutcome,
  SERVER_BATCHING_DEFAULTS,
  SERVER_METRICS,
} from "./plan/server-contract";
export {
  defaultTerminationGracePeriodSeconds,
  deregistrationDelaySeconds,
  MAX_DEREGISTRATION_DELAY_SECONDS,
  type ShutdownTimings,
  serverExitDeadlineSeconds,
  TERMINATION_GRACE_MARGIN_SECONDS,
} from "./plan/shutdown-timeline";
export {
  type CloudRefOptions,
  type CloudResourcePlan,
  type CloudResourceRef,
  type CloudResourceRefConversion,
  cloudRef,
  convertCloudRefValue,
  isCloudResourceRef,
  isSensitiveRef,
  type KubernetesCloudDependency,
  type KubernetesIgnoreChanges,
  type KubernetesObject,
  type KubernetesObjectRef,
  type NamespaceLabelsPlan,
  type NodePoolBinding,
  replaceCloudRefs,
  replaceSensitiveRefs,
  type SensitiveRef,
} from "./plan/types";
export {
  parseTopology,
  planTopology,
  renderKubernetesObjects,
  renderTopology,
  type TopologyAutoscaledEndpointProps,
  TopologyError,
  type TopologyFile,
  type TopologyModelServiceProps,
  type TopologyPlan,
} from "./render";
export {
  IMAGE_DIGEST_PATTERN,
  SERVER_IMAGE_CUDA_DIGEST,
  SERVER_IMAGE_CUDA_TAG_SUFFIX,
  SERVER_IMAGE_DIGEST,
  SERVER_IMAGE_FLAVOURS,
  SERVER_IMAGE_REPOSITORY,
  type ServerImageFlavour,
  serverImageTag,
} from "./server-image";
export {
  ANYWHERE,
  AUTOSCALED_ENDPOINT_DEFAULTS,
  AUTOSCALER_TYPES,
  type AutoscaledEndpointProps,
  type AutoscalerProps,
  type ClusterIpExposureProps,
  ENDPOINT_SCHEMES,
  type EndpointScheme,
  EXPOSURE_TYPES,
  type ExposureProps,
  type HpaAutoscalerProps,
  type KedaAutoscalerProps,
  type NlbExposureProps,
  type NlbTlsProps,
  PLAINTEXT,
  type ScalingTargetProps,
} from "./specs/autoscaled-endpoint";
export { CAPACITY_DEFAULTS, CAPACITY_PROP_NAMES, type CapacityProps } from "./specs/capacity";
export { ipv4CidrContains, isWholeInternetCidr, WHOLE_INTERNET_CIDRS } from "./specs/cidr";
export { parseQuantity, type Quantity } from "./specs/common";
export { DCGM_EXPORTER_DEFAULTS, type DcgmExporterProps, type DcgmExporterSpec } from "./specs/dcgm-exporter";
export type { FailoverAlarmsProps, FailoverAlarmsSpec } from "./specs/failover-alarms";
export { type FailoverEndpointCapacity, globalPeak } from "./specs/failover-capacity";
export {
  CAPACITY_TYPES,
  type CapacityType,
  DEFAULT_DEVICE_PLUGIN_IMAGE,
  DISK_SIZE_GIB_MAX,
  DISK_SIZE_GIB_MIN,
  GPU_AMI_TYPES,
  GPU_NODE_POOL_MODES,
  type GpuAmiType,
  type GpuNodeCountProps,
  type GpuNodePoolKarpenterProps,
  type GpuNodePoolMode,
  type GpuNodePoolProps,
  IMDS_HOP_LIMITS,
  type ImdsHopLimit,
  PINNED_KARPENTER_AMI_VERSIONS,
} from "./specs/gpu-node-pool";
export {
  type AllowedSourcesProps,
  AUTH_TOKEN_SECRET_KEY,
  type AuthProps,
  type BatchingProps,
  type CreatedTokenSecretProps,
  type DisruptionBudgetProps,
  type ExistingTokenSecretProps,
  type GatewayRefProps,
  MODEL_SERVICE_DEFAULTS,
  MODEL_URI_SCHEMES,
  type ModelArtifact,
  type ModelEncryptionProps,
  type ModelProps,
  type ModelServiceProps,
  type ModelStorageProps,
  type ModelVersionProps,
  type MonitoringProps,
  type MultiVersionModelProps,
  NO_AUTH,
  type ResourcesProps,
  type ShutdownProps,
  type SingleVersionModelProps,
  SPREAD_MODES,
  type SpreadMode,
  type TokenAuthProps,
  type TopologySpreadProps,
} from "./specs/model-service";
export {
  type AlertsSpec,
  type DashboardSpec,
  type ModelServiceAlertsProps,
  type ModelServiceDashboardProps,
  OBSERVABILITY_DEFAULTS,
} from "./specs/model-service-observability";
export {
  FAILOVER_ROLES,
  FAILOVER_ROUTINGS,
  type FailoverEndpoint,
  type FailoverHealthCheckProps,
  type FailoverRegionProps,
  type FailoverRole,
  type FailoverRouting,
  HEALTH_CHECK_INTERVALS_SECONDS,
  HEALTH_CHECK_PROTOCOLS,
  type HealthCheckIntervalSeconds,
  type HealthCheckProtocol,
  type MultiRegionFailoverProps,
} from "./specs/multi-region-failover";
export type { AuthSpec } from "./specs/resolve-auth";
export {
  AUTOSCALED_ENDPOINT,
  type AutoscaledEndpointSpec,
  type NlbExposureSpec,
  resolveAutoscaledEndpointSpec,
} from "./specs/resolve-autoscaled-endpoint";
export { GPU_NODE_POOL, type GpuNodePoolSpec, resolveGpuNodePoolSpec } from "./specs/resolve-gpu-node-pool";
export type { ModelVersionSpec } from "./specs/resolve-model";
export {
  defaultServerImage,
  MODEL_SERVICE,
  type ModelServiceSpec,
  resolveModelServiceSpec,
} from "./specs/resolve-model-service";
export {
  type FailoverRegionSpec,
  MULTI_REGION_FAILOVER,
  type MultiRegionFailoverSpec,
  resolveMultiRegionFailoverSpec,
} from "./specs/resolve-multi-region-failover";
export {
  planTopologyFailover,
  type TopologyFailoverRegionProps,
  type TopologyMultiRegionFailoverProps,
} from "./topology-failover";
export {
  type ClusterRequirement,
  type RequiredCloudResource,
  type TopologyRequirements,
  topologyRequirements,
} from "./topology-requirements";
export { VERSION } from "./version";
