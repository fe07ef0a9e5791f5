/**
 * PromQL label matchers that select one ModelService's series: the server's own metrics (as a ServiceMonitor
 * scrapes them: `namespace` and `service` target labels) and kube-state-metrics' series of its Deployments,
 * pods and autoscalers. Shared by the PrometheusRule and the Grafana dashboard, so both see the same pods.
 */
import { isUnresolved, type Lazy } from "../lazy";

/** Matchers of one service's series, each a comma-separated list to put inside `{...}`. */
export interface ModelServiceSelectors {
  /** The server's metrics scraped through the service's ServiceMonitor. */
  readonly server: string;
  /** kube-state-metrics Deployment series of every version. */
  readonly deployments: string;
  /** Pod series (kube-state-metrics, DCGM) of every version's pods. */
  readonly pods: string;
  /** kube-state-metrics HPA series: the AutoscaledEndpoint's HPAs, or the HPAs KEDA makes (`keda-hpa-<name>`). */
  readonly autoscalers: string;
}

/**
 * `namespace="<ns>"`, or nothing when the namespace is not known at synth time (a Pulumi Output, a CDKTF
 * token): the `service`, `deployment` and `pod` matchers still select the service's own series.
 */
function namespaceMatcher(namespace: Lazy<string>): string[] {
  return isUnresolved(namespace) || typeof namespace !== "string" ? [] : [`namespace="${namespace}"`];
}

/**
 * The selectors of a service named `service` whose versions run as `deployments` (Deployment names are DNS
 * labels: no regex metacharacter but `-`, which is literal outside a bracket expression).
 */
export function modelServiceSelectors(
  namespace: Lazy<string>,
  service: string,
  deployments: readonly string[],
): ModelServiceSelectors {
  const ns = namespaceMatcher(namespace);
  const alternation = deployments.join("|");
  // A Deployment's pods are named <deployment>-<replicaset hash>-<pod suffix>.
  const podPattern = `(${alternation})-[a-z0-9]+-[a-z0-9]+`;
  return {
    server: [...ns, `service="${service}"`].join(","),
    deployments: [...ns, `deployment=~"${alternation}"`].join(","),
    pods: [...ns, `pod=~"${podPattern}"`].join(","),
    autoscalers: [...ns, `horizontalpodautoscaler=~"(keda-hpa-)?(${alternation})"`].join(","),
  };
}

/**
 * The matcher of a histogram bucket bound. Prometheus 3 normalises classic histograms' `le` values on
 * ingestion (`le="1"` is stored as `le="1.0"`), Prometheus 2 keeps the exposed text, so an integral bound
 * matches both forms (https://prometheus.io/docs/prometheus/latest/migration/).
 */
export function bucketBoundMatcher(bound: number): string {
  return Number.isInteger(bound) ? `le=~"${bound}|${bound}[.]0"` : `le="${bound}"`;
}
