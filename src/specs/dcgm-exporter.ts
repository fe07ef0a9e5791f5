/**
 * The `dcgmExporter` option of a GpuNodePool: NVIDIA's DCGM exporter on the pool's nodes, so the GPU panels
 * of the dashboards and the GPU-saturation alert have data. Props, defaults and validation.
 */
import type { Validator } from "../validate";
import { show } from "../validate";
import { checkDns1123Label, checkIntegerRange, checkKnownKeys, checkLabels, propNames } from "./common";

/** NVIDIA's DCGM exporter (a DaemonSet with a Service and a ServiceMonitor) on the pool's nodes. */
export interface DcgmExporterProps {
  /**
   * Deploy the exporter.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * The exporter's image. Prefer a digest.
   * @default "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04"
   */
  readonly image?: string;
  /**
   * Namespace of the exporter's objects. The exporter runs as root with `SYS_ADMIN` (see docs/operations.md),
   * which the baseline and restricted Pod Security Standards refuse: the namespace must allow privileged
   * pods (kube-system does on EKS).
   * @default "kube-system"
   */
  readonly namespace?: string;
  /**
   * Namespace of the Prometheus that scrapes the exporter: the only source its NetworkPolicy admits.
   * @default "monitoring"
   */
  readonly monitoringNamespace?: string;
  /**
   * Extra labels of the ServiceMonitor, e.g. `{ release: "prometheus" }` to match a Prometheus' selector.
   * @default {}
   */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /**
   * Scrape interval of the ServiceMonitor, in seconds.
   * @default 15
   */
  readonly scrapeIntervalSeconds?: number;
}

/** The defaults of the DCGM exporter option. */
export const DCGM_EXPORTER_DEFAULTS = {
  image: "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04",
  namespace: "kube-system",
  monitoringNamespace: "monitoring",
  scrapeIntervalSeconds: 15,
} as const;

/** The validated option. */
export interface DcgmExporterSpec {
  readonly enabled: boolean;
  readonly image: string;
  readonly namespace: string;
  readonly monitoringNamespace: string;
  readonly serviceMonitorLabels: Readonly<Record<string, string>>;
  readonly scrapeIntervalSeconds: number;
}

const DCGM_EXPORTER_PROPS = propNames<DcgmExporterProps>({
  enabled: true,
  image: true,
  namespace: true,
  monitoringNamespace: true,
  serviceMonitorLabels: true,
  scrapeIntervalSeconds: true,
});

/** Validates `dcgmExporter` and applies the defaults. */
export function resolveDcgmExporter(
  check: Validator,
  props: DcgmExporterProps | undefined,
): DcgmExporterSpec {
  const p = props ?? {};
  checkKnownKeys(check, "dcgmExporter", props, DCGM_EXPORTER_PROPS);
  const D = DCGM_EXPORTER_DEFAULTS;
  const spec: DcgmExporterSpec = {
    enabled: p.enabled ?? false,
    image: p.image ?? D.image,
    namespace: p.namespace ?? D.namespace,
    monitoringNamespace: p.monitoringNamespace ?? D.monitoringNamespace,
    serviceMonitorLabels: p.serviceMonitorLabels ?? {},
    scrapeIntervalSeconds: p.scrapeIntervalSeconds ?? D.scrapeIntervalSeconds,
  };
  check.that(
    typeof spec.enabled === "boolean",
    "dcgmExporter.enabled",
    `(${show(spec.enabled)}) must be a boolean`,
  );
  check.that(
    typeof spec.image === "string" && /^\S+$/.test(spec.image),
    "dcgmExporter.image",
    `(${show(spec.image)}) must be an image reference without spaces`,
  );
  checkDns1123Label(check, "dcgmExporter.namespace", spec.namespace);
  checkDns1123Label(check, "dcgmExporter.monitoringNamespace", spec.monitoringNamespace);
  checkLabels(check, "dcgmExporter.serviceMonitorLabels", spec.serviceMonitorLabels);
  checkIntegerRange(check, "dcgmExporter.scrapeIntervalSeconds", spec.scrapeIntervalSeconds, 1, 3600);
  return spec;
}
