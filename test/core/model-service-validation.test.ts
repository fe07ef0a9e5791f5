import { describe, expect, it } from "vitest";
import { ERROR_CODES, ValidationError } from "../../src/errors";
import { planModelService } from "../../src/plan/model-service";
import type { NodePoolBinding } from "../../src/plan/types";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { cpuBinding, gpuBinding, pulumiOutput, resnetProps, SHA_A, SHA_B } from "./support/fixtures";

/** The problems reported for `props`, as `path reason` lines. */
function problems(
  props: ModelServiceProps,
  name = "resnet",
  // GPU props run on the GPU pool, CPU props on no pool (the core refuses the other two combinations);
  // null: no pool.
  binding: NodePoolBinding | null = (props.resources?.gpu ?? 0) > 0 ? gpuBinding : null,
): string[] {
  try {
    planModelService(name, props, binding ?? undefined);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path} ${p.reason}`);
  }
  return [];
}

describe("ModelService validation", () => {
  it("accepts the README props", () => {
    expect(problems(resnetProps)).toEqual([]);
  });

  it("reports every problem at once, naming the construct, the prop, the value and the fix", () => {
    const props = {
      model: { name: "resnet50", uri: "gs://models/resnet50.onnx", sha256: "9f2c" },
      resources: { gpu: 2, memory: "2Gb" },
      namespace: "Prod_NS",
    } as ModelServiceProps;
    let error: unknown;
    try {
      planModelService("resnet", props, gpuBinding);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.code).toBe(ERROR_CODES.INVALID_PROPS);
    expect(validation.problems.map((p) => p.path)).toEqual([
      "namespace",
      "model.uri",
      "model.sha256",
      "resources.gpu",
      "resources.memory",
    ]);
    const lines = validation.message.split("\n");
    expect(lines[0]).toBe("5 problems:");
    expect(lines.slice(1).map((l) => l.trim())).toEqual([
      'ModelService "resnet": namespace ("Prod_NS") must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit (did you mean "prod-ns"?)',
      'ModelService "resnet": model.uri ("gs://models/resnet50.onnx") has an unsupported scheme "gs://"; allowed: s3://, https://, file://',
      'ModelService "resnet": model.sha256 ("9f2c") must be a sha256 digest of exactly 64 hex digits (4 characters); compute it with `sha256sum model.onnx`',
      'ModelService "resnet": resources.gpu (2) exceeds the 1 GPU(s) per node of node pool "gpu-us-east-1"; ask for at most 1 or use larger instance types',
      expect.stringMatching(
        /^ModelService "resnet": resources\.memory \("2Gb"\) is not a Kubernetes quantity \(did you mean 2Gi\?\)/,
      ),
    ]);
  });

  it("rejects GPUs on a pool without GPUs", () => {
    expect(problems(resnetProps, "resnet", cpuBinding)).toEqual([
      'resources.gpu (1) asks for GPUs but node pool "cpu-pool" has none; bind a GPU node pool or set gpu to 0',
    ]);
  });

  // #15 item 8. GPU nodes are tainted with the resource's name so that only pods tolerating it land there
  // (Kubernetes' dedicated-hardware convention, https://github.com/kubernetes/kubernetes/pull/55839; the
  // GpuNodePool plans that taint): a GPU pod without the pool's tolerations stays Pending, and a pod
  // without GPUs on the pool runs CPU inference on GPU nodes.
  it("refuses GPUs without a node pool, naming the fix", () => {
    expect(problems({ ...resnetProps, resources: { gpu: 1 } }, "resnet", null)).toEqual([
      "resources.gpu (1) asks for GPUs but the service has no nodePool: without the pool's node selector and " +
        "tolerations the pods cannot land on its tainted GPU nodes; set nodePool to a GpuNodePool, or set gpu " +
        "to 0 to run on CPU nodes",
    ]);
  });

  it("refuses no GPUs (explicit 0, or omitted) on a GPU node pool, naming the fix", () => {
    const expected = [
      'resources.gpu (0) would run CPU inference on the GPU nodes of node pool "gpu-us-east-1"; set gpu to 1 ' +
        "(up to 1) to use them, or drop nodePool to run on CPU nodes",
    ];
    expect(problems({ ...resnetProps, resources: { gpu: 0 } }, "resnet", gpuBinding)).toEqual(expected);
    expect(problems({ ...resnetProps, resources: { cpu: "2" } }, "resnet", gpuBinding)).toEqual(expected);
    expect(problems({ ...resnetProps, resources: { gpu: 0 } }, "resnet", null)).toEqual([]);
  });

  it("rejects canary weights not summing to 100, duplicate versions and a missing gateway", () => {
    expect(
      problems({
        model: {
          name: "resnet50",
          versions: [
            { version: 3, uri: "s3://models/a.onnx", sha256: SHA_A, weightPercent: 80 },
            { version: 3, uri: "s3://models/b.onnx", sha256: SHA_B, weightPercent: 30 },
          ],
        },
      }),
    ).toEqual([
      "model.versions[1].version (3) is listed twice; versions must be unique",
      "model.versions weightPercent values (80 + 30 = 110) must sum to 100",
      "gateway is required with model.versions: the weighted HTTPRoute must attach to a Gateway { name, namespace }",
    ]);
  });

  it("rejects names that are not DNS labels or too long for the child names", () => {
    expect(problems(resnetProps, "ResNet")[0]).toMatch(/^name \("ResNet"\) must be a DNS-1123 label/);
    expect(problems(resnetProps, "9resnet")).toEqual(['name ("9resnet") must start with a lowercase letter']);
    expect(problems(resnetProps, "r".repeat(51))).toEqual([
      `name ("${"r".repeat(51)}") is 51 characters long; at most 50 are allowed`,
    ]);
  });

  it.each([
    ["http://models.example.com/m.onnx", /unsupported scheme "http:\/\/"/],
    ["models/m.onnx", /has no scheme/],
    ["s3://Models/m.onnx", /invalid bucket name "Models"/],
    ["s3://models", /must be s3:\/\/<bucket>\/<key>/],
    ["s3://models/dir/", /must name a file/],
    ["file://relative/m.onnx", /three slashes/],
    ["https://example.com", /must name a file path/],
    ["https://xn--a.example.com/m.onnx", /is not a valid URL/], // a malformed IDNA (punycode) host
  ])("rejects the model URI %s", (uri, reason) => {
    const [problem] = problems({ ...resnetProps, model: { name: "m", uri, sha256: SHA_A } });
    expect(problem).toMatch(reason);
  });

  it("rejects inconsistent shutdown timings", () => {
    expect(
      problems({
        ...resnetProps,
        shutdown: { drainDelaySeconds: 30, shutdownTimeoutSeconds: 20, terminationGracePeriodSeconds: 20 },
      }),
    ).toEqual([
      "shutdown.drainDelaySeconds (30) must be less than shutdown.shutdownTimeoutSeconds (20), or in-flight requests get no time to finish after the drain",
      "shutdown.terminationGracePeriodSeconds (20) must exceed preStopSleepSeconds + shutdownTimeoutSeconds (5 + 20 = 25), or the kubelet kills the server before its own deadline; use at least 26",
    ]);
  });

  it("rejects a disruption budget that would block every eviction", () => {
    expect(problems({ ...resnetProps, replicas: 2, disruptionBudget: { minAvailable: 2 } })).toEqual([
      "disruptionBudget.minAvailable (2) must be less than replicas (2), or no pod can ever be evicted and node drains block",
    ]);
    expect(problems({ ...resnetProps, disruptionBudget: { maxUnavailable: 0 } })).toEqual([
      "disruptionBudget.maxUnavailable (0) would block every voluntary eviction (node drains, upgrades); use 1 or more",
    ]);
  });

  it("rejects malformed images, limits below requests, batching and sources", () => {
    expect(
      problems({
        ...resnetProps,
        image: "ghcr.io/onnxfleet/onnxfleet-server@sha256:abc",
        resources: { gpu: 1, memory: "8Gi", memoryLimit: "4Gi" },
        batching: { maxBatchSize: 0, maxQueueDelayMs: 5000 },
        allowedSources: { cidrs: ["10.0.0.0/33"] },
      }),
    ).toEqual([
      'resources.memoryLimit ("4Gi") must not be below resources.memory ("8Gi")',
      `image ("ghcr.io/onnxfleet/onnxfleet-server@sha256:abc") must be an image reference such as "ghcr.io/onnxfleet/onnxfleet-server:0.1.0" or, recommended, "<repository>@sha256:<64 lowercase hex digits>"`,
      "batching.maxBatchSize (0) must be an integer from 1 to 65536",
      "batching.maxQueueDelayMs (5000) must be a number from 0 to 1000",
      'allowedSources.cidrs[0] ("10.0.0.0/33") must be an IP range in CIDR notation, e.g. "10.0.0.0/16" or "0.0.0.0/0"',
    ]);
  });

  it("refuses allowedSources and gateway data-plane ranges that admit every address (NetworkPolicy ipBlock 0.0.0.0/0, ::/0)", () => {
    const wholeInternet = (path: string, cidr: string) =>
      `${path} (${JSON.stringify(cidr)}) admits every address, every pod of the cluster and the internet included: ` +
      `list the ranges that must reach the pods (e.g. the VPC's "10.0.0.0/16"); to serve the internet, use an ` +
      `AutoscaledEndpoint, whose exposure.sourceRanges: "anywhere" is the opt-out`;
    expect(
      problems({
        ...resnetProps,
        allowedSources: { cidrs: ["10.0.0.0/16", "0.0.0.0/0", "::/0"] },
      }),
    ).toEqual([
      wholeInternet("allowedSources.cidrs[1]", "0.0.0.0/0"),
      wholeInternet("allowedSources.cidrs[2]", "::/0"),
    ]);
    expect(
      problems({
        ...resnetProps,
        model: {
          name: "resnet50",
          versions: [
            { version: 3, uri: "s3://models/a.onnx", sha256: "a".repeat(64), weightPercent: 90 },
            { version: 4, uri: "s3://models/b.onnx", sha256: "b".repeat(64), weightPercent: 10 },
          ],
        },
        gateway: { name: "gw", dataPlane: { cidrs: ["0.0.0.0/0"] } },
      }),
    ).toEqual([wholeInternet("gateway.dataPlane.cidrs[0]", "0.0.0.0/0")]);
  });

  it("rejects a model given both ways, and a missing sha256", () => {
    const both = {
      name: "m",
      uri: "s3://bucket/m.onnx",
      versions: [{ version: 1, uri: "s3://bucket/m.onnx", sha256: SHA_A, weightPercent: 100 }],
    } as unknown as ModelServiceProps["model"];
    expect(problems({ model: both, gateway: { name: "gw" } })).toEqual([
      "model has both versions and uri: give { name, uri, sha256 } for one version, or { name, versions: [{ version, uri, sha256, weightPercent }] } for several",
    ]);
    expect(
      problems({ model: { name: "m", uri: "s3://bucket/m.onnx" } as ModelServiceProps["model"] }),
    ).toEqual(["model.sha256 is required: the model file's sha256 (64 hex digits, `sha256sum model.onnx`)"]);
  });

  it("skips checks of values unknown until deployment", () => {
    const unknown = pulumiOutput("x") as unknown as string;
    expect(
      problems({
        namespace: unknown,
        image: unknown,
        model: { name: "m", uri: unknown, sha256: unknown },
        serviceAccountRoleArn: unknown,
      }),
    ).toEqual([]);
  });

  it("refuses unknown keys at every level, suggesting the intended one", () => {
    const props = {
      ...resnetProps,
      resource: { gpu: 1 },
      model: { ...resnetProps.model, sha265: SHA_A },
      shutdown: { drainDelay: 5 },
      monitoring: { serviceMonitors: true },
    } as unknown as ModelServiceProps;
    expect(problems(props).filter((p) => p.includes("is not a prop"))).toEqual([
      'resource is not a prop (did you mean "resources"?); allowed: namespace, model, image, replicas, ' +
        "resources, batching, modelStorage, modelLoadTimeoutSeconds, shutdown, topologySpread, " +
        "disruptionBudget, allowedSources, monitoring, gateway, serviceAccountRoleArn, auth",
      'shutdown.drainDelay is not a prop (did you mean "drainDelaySeconds"?); allowed: preStopSleepSeconds, ' +
        "drainDelaySeconds, shutdownTimeoutSeconds, terminationGracePeriodSeconds",
      'monitoring.serviceMonitors is not a prop (did you mean "serviceMonitor"?); allowed: namespace, ' +
        "serviceMonitor, serviceMonitorLabels, scrapeIntervalSeconds, alerts, dashboard",
      'model.sha265 is not a prop (did you mean "sha256"?); allowed: name, uri, sha256, version, versions, ' +
        "kmsKeyArn",
    ]);
  });

  it("refuses unknown keys of each model version", () => {
    const props = {
      ...resnetProps,
      model: {
        name: "resnet50",
        versions: [
          { version: 3, uri: "s3://m/3.onnx", sha256: SHA_A, weightPercent: 90 },
          { version: 4, uri: "s3://m/4.onnx", sha256: SHA_B, weight: 10 },
        ],
      },
      gateway: { name: "public", namespace: "gateways" },
    } as unknown as ModelServiceProps;
    expect(problems(props).filter((p) => p.includes("is not a prop"))).toEqual([
      'model.versions[1].weight is not a prop (did you mean "weightPercent"?); allowed: version, uri, ' +
        "sha256, weightPercent",
    ]);
  });
});
