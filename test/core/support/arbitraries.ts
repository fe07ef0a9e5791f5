/** fast-check generators of valid props, covering the whole range the validators accept. */
import fc from "fast-check";
import type { NodePoolBinding } from "../../../src/plan/types";
import type { AutoscaledEndpointProps } from "../../../src/specs/autoscaled-endpoint";
import type { ModelServiceProps, ModelVersionProps } from "../../../src/specs/model-service";

const dnsLabel = (maxLength: number) =>
  fc
    .tuple(
      fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
      fc.stringMatching(/^[a-z0-9-]*$/, { maxLength: maxLength - 2 }),
      fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
    )
    .map(([a, b, c]) => `${a}${b}${c}`.slice(0, maxLength))
    .filter((s) => /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(s));

export const serviceName = dnsLabel(50);
export const namespace = dnsLabel(63);
export const modelName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,40}[A-Za-z0-9])?$/);
export const sha256 = fc.stringMatching(/^[0-9a-fA-F]{64}$/);

const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/);
const keySegment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
export const modelUri = fc.oneof(
  fc
    .tuple(bucket, fc.array(keySegment, { minLength: 1, maxLength: 4 }))
    .map(([b, k]) => `s3://${b}/${k.join("/")}.onnx`),
  fc
    .tuple(
      // "--" in positions 3-4 marks an IDNA label (xn--...): the URL parser decodes it as punycode and
      // rightly refuses most such labels (https://xn--a.example.com/ is not a valid URL).
      dnsLabel(20).filter((label) => label.slice(2, 4) !== "--"),
      fc.array(keySegment, { minLength: 1, maxLength: 3 }),
    )
    .map(([h, k]) => `https://${h}.example.com/${k.join("/")}`),
  fc.array(keySegment, { minLength: 1, maxLength: 3 }).map((k) => `file:///${k.join("/")}/model.onnx`),
);

const cpu = fc.oneof(
  fc.integer({ min: 1, max: 64 }).map(String),
  fc.integer({ min: 100, max: 16000 }).map((m) => `${m}m`),
  fc.constantFrom("0.5", "1.5", "2.25"),
);
const memoryMi = fc.integer({ min: 128, max: 262144 });

/** Weights summing to 100 over `count` versions. */
function weights(count: number) {
  return fc
    .array(fc.integer({ min: 0, max: 100 }), { minLength: count - 1, maxLength: count - 1 })
    .map((cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), 100];
      return sorted.slice(1).map((x, i) => x - (sorted[i] as number));
    });
}

const versions = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: 999_999 }), { minLength: count, maxLength: count }),
      fc.array(fc.tuple(modelUri, sha256), { minLength: count, maxLength: count }),
      weights(count),
    )
    .map(([numbers, artifacts, ws]) =>
      numbers.map(
        (version, i): ModelVersionProps => ({
          version,
          uri: (artifacts[i] as [string, string])[0],
          sha256: (artifacts[i] as [string, string])[1],
          weightPercent: ws[i] as number,
        }),
      ),
    ),
);

export const binding: fc.Arbitrary<NodePoolBinding> = fc.record({
  poolName: serviceName,
  nodeSelector: fc.dictionary(
    fc.constantFrom("onnxfleet.dev/node-pool", "karpenter.sh/nodepool"),
    serviceName,
  ),
  tolerations: fc.array(
    fc.record({
      key: fc.constantFrom("nvidia.com/gpu", "onnxfleet.dev/dedicated"),
      operator: fc.constant("Exists" as const),
      effect: fc.constantFrom("NoSchedule" as const, "NoExecute" as const),
    }),
    { maxLength: 2 },
  ),
  gpuResourceName: fc.constant("nvidia.com/gpu"),
  gpusPerNode: fc.integer({ min: 1, max: 8 }),
  gpuMemoryGiB: fc.constantFrom(16, 24, 80),
});

/** Valid ModelService props together with a binding (or none) they are valid for. */
export const modelService: fc.Arbitrary<{
  name: string;
  props: ModelServiceProps;
  binding?: NodePoolBinding;
}> = fc
  .record({
    name: serviceName,
    binding: fc.option(binding, { nil: undefined }),
    namespace: fc.option(namespace, { nil: undefined }),
    multi: fc.boolean(),
    single: fc.record({
      uri: modelUri,
      sha256,
      version: fc.option(fc.integer({ min: 1, max: 999_999 }), { nil: undefined }),
    }),
    versions,
    modelName,
    image: fc.option(
      fc.constantFrom(
        "ghcr.io/onnxfleet/onnxfleet-server:1.2.3",
        `registry.example.com:5000/team/onnxfleet-server@sha256:${"ab".repeat(32)}`,
        "onnxfleet-server",
      ),
      { nil: undefined },
    ),
    replicas: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    gpuWanted: fc.integer({ min: 0, max: 8 }),
    cpu: fc.option(cpu, { nil: undefined }),
    memoryMi: fc.option(memoryMi, { nil: undefined }),
    memoryLimitExtraMi: fc.option(fc.integer({ min: 0, max: 4096 }), { nil: undefined }),
    cpuLimit: fc.option(fc.constantFrom("64", "100"), { nil: undefined }),
    batching: fc.option(
      fc.record({
        maxBatchSize: fc.integer({ min: 1, max: 1024 }),
        maxQueueDelayMs: fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    storage: fc.option(
      fc.oneof(
        fc.record({
          type: fc.constant("emptyDir" as const),
          sizeLimit: fc.constantFrom("1Gi", "20Gi", "500M"),
        }),
        fc.record({ type: fc.constant("persistentVolumeClaim" as const), claimName: dnsLabel(40) }),
      ),
      { nil: undefined },
    ),
    loadTimeout: fc.option(fc.integer({ min: 10, max: 3600 }), { nil: undefined }),
    shutdown: fc.option(
      fc
        .record({
          preStop: fc.integer({ min: 0, max: 60 }),
          drain: fc.integer({ min: 0, max: 60 }),
          extra: fc.integer({ min: 1, max: 60 }),
          graceExtra: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        })
        .map((s) => ({
          preStopSleepSeconds: s.preStop,
          drainDelaySeconds: s.drain,
          shutdownTimeoutSeconds: s.drain + s.extra,
          ...(s.graceExtra !== undefined
            ? { terminationGracePeriodSeconds: s.preStop + s.drain + s.extra + s.graceExtra }
            : {}),
        })),
      { nil: undefined },
    ),
    spread: fc.option(
      fc.record({
        zones: fc.constantFrom("required" as const, "preferred" as const, "none" as const),
        hosts: fc.constantFrom("required" as const, "preferred" as const, "none" as const),
      }),
      { nil: undefined },
    ),
    budget: fc.option(
      fc.oneof(
        fc.integer({ min: 1, max: 5 }).map((n) => ({ maxUnavailable: n })),
        fc.constant("min" as const),
      ),
      {
        nil: undefined,
      },
    ),
    sources: fc.option(
      fc.record({
        sameNamespace: fc.boolean(),
        namespaces: fc.array(namespace, { maxLength: 3 }),
        cidrs: fc.array(fc.constantFrom("10.0.0.0/16", "172.16.0.0/12", "192.168.1.0/24", "fd00::/8"), {
          maxLength: 2,
        }),
      }),
      { nil: undefined },
    ),
    monitoring: fc.option(
      fc.record({
        namespace: namespace,
        serviceMonitor: fc.boolean(),
        serviceMonitorLabels: fc.dictionary(fc.constantFrom("release", "team"), dnsLabel(10)),
        scrapeIntervalSeconds: fc.integer({ min: 1, max: 120 }),
      }),
      { nil: undefined },
    ),
    gateway: fc.record({ name: dnsLabel(30), namespace: fc.option(namespace, { nil: undefined }) }),
    roleArn: fc.option(fc.constant("arn:aws:iam::123456789012:role/model-reader"), { nil: undefined }),
    auth: fc.option(
      fc.constantFrom(
        "none" as const,
        { tokenSecret: { name: "resnet-token" } },
        { tokenSecret: { name: "shared-tokens", key: "resnet.token" } },
      ),
      { nil: undefined },
    ),
  })
  .map((g) => {
    const replicas = g.replicas ?? 2;
    // GPUs exactly on a GPU pool (the core refuses GPUs without a pool and none on a GPU pool).
    const gpu = g.binding ? Math.max(1, Math.min(g.gpuWanted, g.binding.gpusPerNode)) : 0;
    const memory = g.memoryMi !== undefined ? `${g.memoryMi}Mi` : undefined;
    const props: ModelServiceProps = {
      ...(g.namespace !== undefined ? { namespace: g.namespace } : {}),
      model: g.multi
        ? { name: g.modelName, versions: g.versions }
        : {
            name: g.modelName,
            uri: g.single.uri,
            sha256: g.single.sha256,
            ...(g.single.version !== undefined ? { version: g.single.version } : {}),
          },
      ...(g.image !== undefined ? { image: g.image } : {}),
      ...(g.replicas !== undefined ? { replicas: g.replicas } : {}),
      resources: {
        gpu,
        ...(g.cpu !== undefined ? { cpu: g.cpu } : {}),
        ...(g.cpuLimit !== undefined ? { cpuLimit: g.cpuLimit } : {}),
        ...(memory !== undefined ? { memory } : {}),
        ...(memory !== undefined && g.memoryLimitExtraMi !== undefined
          ? { memoryLimit: `${(g.memoryMi as number) + g.memoryLimitExtraMi}Mi` }
          : {}),
      },
      ...(g.batching !== undefined
        ? {
            batching: {
              maxBatchSize: g.batching.maxBatchSize,
              ...(g.batching.maxQueueDelayMs !== undefined
                ? { maxQueueDelayMs: g.batching.maxQueueDelayMs }
                : {}),
            },
          }
        : {}),
      ...(g.storage !== undefined ? { modelStorage: g.storage } : {}),
      ...(g.loadTimeout !== undefined ? { modelLoadTimeoutSeconds: g.loadTimeout } : {}),
      ...(g.shutdown !== undefined ? { shutdown: g.shutdown } : {}),
      ...(g.spread !== undefined ? { topologySpread: g.spread } : {}),
      ...(g.budget === "min"
        ? replicas >= 1
          ? { disruptionBudget: { minAvailable: replicas - 1 } }
          : {}
        : g.budget !== undefined
          ? { disruptionBudget: g.budget }
          : {}),
      ...(g.sources !== undefined ? { allowedSources: g.sources } : {}),
      ...(g.monitoring !== undefined ? { monitoring: g.monitoring } : {}),
      ...(g.multi ? { gateway: g.gateway } : {}),
      ...(g.roleArn !== undefined ? { serviceAccountRoleArn: g.roleArn } : {}),
      ...(g.auth !== undefined ? { auth: g.auth } : {}),
    };
    return { name: g.name, props, ...(g.binding ? { binding: g.binding } : {}) };
  });

/**
 * Valid endpoint props for a service whose disruption budget allows `minAvailable` (if any); internet-facing
 * only for a service that names its `auth` (`serviceNamesAuth`).
 */
export function autoscaledEndpoint(
  minAvailable: number | undefined,
  canAutoscaleWithNlb: boolean,
  serviceNamesAuth = false,
) {
  return fc
    .record({
      min: fc.integer({ min: 0, max: 20 }),
      span: fc.integer({ min: 0, max: 100 }),
      inflight: fc.oneof(fc.integer({ min: 1, max: 256 }), fc.double({ min: 0.5, max: 64, noNaN: true })),
      cpuPercent: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
      keda: fc.boolean(),
      pollingIntervalSeconds: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
      nlb: fc.boolean(),
      scheme: fc.option(fc.constantFrom("internal" as const, "internet-facing" as const), { nil: undefined }),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      sourceRanges: fc.option(fc.constantFrom("anywhere" as const, ["203.0.113.0/24", "198.51.100.0/24"]), {
        nil: undefined,
      }),
      loadBalancerCidrs: fc.constantFrom(["10.0.0.0/16"], ["10.1.0.0/24", "10.1.1.0/24"]),
      admitRoute53HealthCheckers: fc.option(fc.boolean(), { nil: undefined }),
      tls: fc.option(
        fc.constantFrom("none" as const, {
          certificateArn:
            "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        }),
        { nil: undefined },
      ),
    })
    .map((g): AutoscaledEndpointProps => {
      // Scale to zero needs KEDA, and is refused behind an NLB (no endpoints while at zero).
      let min = g.keda && !(g.nlb && canAutoscaleWithNlb) ? g.min : Math.max(1, g.min);
      if (minAvailable !== undefined) min = Math.max(min, minAvailable + 1);
      return {
        replicas: { min, max: min + g.span + (min === 0 ? 1 : 0) },
        target: {
          inflightRequestsPerReplica: g.inflight,
          ...(g.cpuPercent !== undefined && !g.keda ? { cpuUtilizationPercent: g.cpuPercent } : {}),
        },
        autoscaler: g.keda
          ? {
              type: "keda",
              prometheusServerAddress: "http://prometheus.monitoring.svc:9090",
              ...(min === 0
                ? { query: 'sum(rate(gateway_requests_total{backend="{{deployment}}"}[1m]))' }
                : {}),
              ...(g.pollingIntervalSeconds !== undefined
                ? { pollingIntervalSeconds: g.pollingIntervalSeconds }
                : {}),
            }
          : { type: "hpa" },
        exposure:
          g.nlb && canAutoscaleWithNlb
            ? {
                type: "nlb",
                // Internet-facing must name its source ranges and TLS, and needs a service naming its auth.
                ...(g.scheme === "internet-facing" && !serviceNamesAuth
                  ? {}
                  : g.scheme !== undefined
                    ? { scheme: g.scheme }
                    : {}),
                ...(g.port !== undefined ? { port: g.port } : {}),
                ...(g.sourceRanges !== undefined
                  ? { sourceRanges: g.sourceRanges }
                  : g.scheme === "internet-facing"
                    ? { sourceRanges: ["198.51.100.0/24"] }
                    : {}),
                loadBalancerCidrs: g.loadBalancerCidrs,
                ...(g.admitRoute53HealthCheckers !== undefined
                  ? { admitRoute53HealthCheckers: g.admitRoute53HealthCheckers }
                  : {}),
                ...(g.tls !== undefined
                  ? { tls: g.tls }
                  : g.scheme === "internet-facing"
                    ? { tls: "none" as const }
                    : {}),
              }
            : { type: "clusterIP" },
      };
    });
}
