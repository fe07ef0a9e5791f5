import { describe, expect, it } from "vitest";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import { SERVER_IMAGE_CUDA_DIGEST, SERVER_IMAGE_DIGEST } from "../../src/server-image";
import { VERSION } from "../../src/version";
import {
  canaryProps,
  cdktfToken,
  cpuBinding,
  gpuBinding,
  pulumiOutput,
  resnetProps,
  SHA_A,
  SHA_B,
} from "./support/fixtures";
import type { Json } from "./support/json";
import { validateAgainstUpstreamSchema } from "./support/schemas";

function find(objects: readonly KubernetesObject[], kind: string, name?: string): Json {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found)
    throw new Error(
      `no ${kind} ${name ?? ""} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`,
    );
  return found as Json;
}

describe("planModelService, the README resnet service on a GPU pool", () => {
  const plan = planModelService("resnet-us-east-1", resnetProps, gpuBinding);
  const deployment = find(plan.kubernetesObjects, "Deployment");
  const pod = deployment.spec.template.spec;
  const server = pod.containers[0];
  const fetch = pod.initContainers[0];

  it("plans the objects of a ModelService, in apply order", () => {
    expect(plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/resnet-us-east-1",
      "ConfigMap/resnet-us-east-1-config",
      "Deployment/resnet-us-east-1-v1",
      "Service/resnet-us-east-1",
      "PodDisruptionBudget/resnet-us-east-1-v1",
      "NetworkPolicy/resnet-us-east-1",
    ]);
  });

  it("does not mount the ServiceAccount token", () => {
    expect(find(plan.kubernetesObjects, "ServiceAccount").automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("runs the CUDA flavour of this package's version by default (gpu > 0), pinned by its sha256 digest", () => {
    // --execution-provider cuda needs libonnxruntime_providers_cuda.so, which only the CUDA image has (#15 item 1).
    expect(server.args).toContain("cuda");
    expect(server.image).toBe(
      `ghcr.io/onnxfleet/onnxfleet-server:${VERSION}-cuda12@${SERVER_IMAGE_CUDA_DIGEST}`,
    );
    expect(SERVER_IMAGE_CUDA_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fetch.image).toBe(server.image);
  });

  it("runs the CPU flavour by default when the service asks for no GPU", () => {
    const cpuPlan = planModelService(
      "resnet-cpu",
      { ...resnetProps, resources: { gpu: 0, cpu: "2", memory: "8Gi" } },
      cpuBinding,
    );
    const cpuServer = find(cpuPlan.kubernetesObjects, "Deployment").spec.template.spec.containers[0];
    expect(cpuServer.args).toContain("cpu");
    expect(cpuServer.image).toBe(`ghcr.io/onnxfleet/onnxfleet-server:${VERSION}@${SERVER_IMAGE_DIGEST}`);
  });

  it("keeps an image the props name, GPU or not", () => {
    const own = planModelService(
      "resnet-own",
      { ...resnetProps, image: "registry.example.com/srv:1.2.3" },
      gpuBinding,
    );
    expect(find(own.kubernetesObjects, "Deployment").spec.template.spec.containers[0].image).toBe(
      "registry.example.com/srv:1.2.3",
    );
  });

  it("fetches the model with its sha256 into the Triton layout before the server starts", () => {
    expect([...fetch.command, ...fetch.args]).toEqual([
      "onnxfleet-server",
      "fetch",
      "--uri",
      "s3://models/resnet50/3/model.onnx",
      "--sha256",
      SHA_A,
      "--dest",
      "/models/resnet50/1/model.onnx",
    ]);
    expect(fetch.volumeMounts).toContainEqual({ name: "models", mountPath: "/models" });
    expect(pod.volumes).toContainEqual({ name: "models", emptyDir: { sizeLimit: "10Gi" } });
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "1Gi" } });
  });

  it("starts the server on the CUDA provider with the drain flags and separate metrics port", () => {
    expect([...server.command, ...server.args]).toEqual([
      "onnxfleet-server",
      "--model-repository",
      "/models",
      "--http-port",
      "8000",
      "--metrics-port",
      "8002",
      "--execution-provider",
      "cuda",
      "--drain-delay-seconds",
      "5",
      "--shutdown-timeout-seconds",
      "25",
    ]);
    expect(server.ports).toEqual([
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "metrics", containerPort: 8002, protocol: "TCP" },
    ]);
  });

  it("requests cpu, memory and ephemeral storage, and limits GPUs, memory and ephemeral storage", () => {
    expect(server.resources).toEqual({
      requests: { cpu: "2", memory: "8Gi", "ephemeral-storage": "11776Mi" },
      limits: { memory: "8Gi", "ephemeral-storage": "11776Mi", "nvidia.com/gpu": "1" },
    });
  });

  it("lands on the pool's nodes and tolerates its taints", () => {
    expect(pod.nodeSelector).toEqual(gpuBinding.nodeSelector);
    expect(pod.tolerations).toEqual(gpuBinding.tolerations);
  });

  it("spreads across zones and hosts", () => {
    expect(
      pod.topologySpreadConstraints.map((c: Json) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew]),
    ).toEqual([
      ["topology.kubernetes.io/zone", "ScheduleAnyway", 1],
      ["kubernetes.io/hostname", "ScheduleAnyway", 1],
    ]);
  });

  it("probes the V2 health routes, giving the model 10 minutes to load", () => {
    expect(server.readinessProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "http", scheme: "HTTP" });
    expect(server.livenessProbe.httpGet).toEqual({ path: "/v2/health/live", port: "http", scheme: "HTTP" });
    expect(server.startupProbe.httpGet.path).toBe("/v2/health/ready");
    expect(server.startupProbe.periodSeconds * server.startupProbe.failureThreshold).toBe(600);
  });

  it("sleeps before SIGTERM and gives the pod more than preStop + the server's deadline", () => {
    expect(server.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(35);
  });

  it("rolls out without ever going below the desired pods", () => {
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
  });

  it("writes the model config with sha256 and batching, mounted at /models/<model>/config.json", () => {
    const configMap = find(plan.kubernetesObjects, "ConfigMap");
    expect(JSON.parse(configMap.data["v1.config.json"])).toEqual({
      versionPolicy: { specific: [1] },
      sha256: SHA_A,
      batching: { maxBatchSize: 32, maxQueueDelayMicroseconds: 2000 },
    });
    expect(server.volumeMounts).toContainEqual({
      name: "model-config",
      mountPath: "/models/resnet50/config.json",
      subPath: "config.json",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "model-config",
      configMap: { name: "resnet-us-east-1-config", items: [{ key: "v1.config.json", path: "config.json" }] },
    });
  });

  it("rolls the pods when the model config changes", () => {
    const other = planModelService(
      "resnet-us-east-1",
      { ...resnetProps, batching: { maxBatchSize: 8 } },
      gpuBinding,
    );
    const annotation = (p: typeof plan) =>
      (find(p.kubernetesObjects, "Deployment").spec.template.metadata.annotations as Json)[
        "onnxfleet.dev/config-sha256"
      ];
    expect(annotation(plan)).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(other)).not.toBe(annotation(plan));
  });

  it("exposes a ClusterIP Service with the port named http, and the metrics port", () => {
    const service = find(plan.kubernetesObjects, "Service");
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.ports.map((p: Json) => [p.name, p.port, p.targetPort])).toEqual([
      ["http", 8000, "http"],
      ["metrics", 8002, "metrics"],
    ]);
    expect(service.spec.selector).toEqual(plan.selectorLabels);
  });

  it("keeps a PodDisruptionBudget that lets one pod go at a time", () => {
    expect(find(plan.kubernetesObjects, "PodDisruptionBudget").spec).toEqual({
      selector: { matchLabels: deployment.spec.selector.matchLabels },
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
  });

  it("admits the serving port from the namespace and the metrics port from the monitoring namespace only", () => {
    expect(find(plan.kubernetesObjects, "NetworkPolicy").spec).toEqual({
      podSelector: { matchLabels: plan.selectorLabels },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8000 }] },
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
          ports: [{ protocol: "TCP", port: 8002 }],
        },
      ],
    });
  });

  it("describes exactly the S3 object the pods' role must read", () => {
    expect(plan.s3ReadAccess?.objects).toEqual([{ bucket: "models", key: "resnet50/3/model.onnx" }]);
    expect(plan.cloudResources).toEqual([
      {
        type: "aws:iam:Policy",
        logicalName: "resnet-us-east-1-model-read",
        properties: {
          description: "Read the model files of ModelService resnet-us-east-1 (onnxfleet)",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["s3:GetObject"],
                Resource: ["arn:aws:s3:::models/resnet50/3/model.onnx"],
              },
            ],
          }),
        },
      },
    ]);
  });

  it("tells the endpoint what it needs", () => {
    expect(plan).toMatchObject({
      namespace: "default",
      serviceName: "resnet-us-east-1",
      ports: { http: 8000, metrics: 8002 },
      versions: [
        {
          version: 1,
          weightPercent: 100,
          deploymentName: "resnet-us-east-1-v1",
          serviceName: "resnet-us-east-1",
        },
      ],
      disruptionBudget: { maxUnavailable: 1 },
    });
  });
});

describe("planModelService options", () => {
  it("runs on CPU without a GPU limit when no GPU is asked", () => {
    const plan = planModelService("small", { ...resnetProps, resources: { cpu: "500m" } }, cpuBinding);
    const server = find(plan.kubernetesObjects, "Deployment").spec.template.spec.containers[0];
    expect(server.args).toContain("cpu");
    expect(server.resources.limits["nvidia.com/gpu"]).toBeUndefined();
    expect(server.resources.requests).toMatchObject({ cpu: "500m", memory: "2Gi" });
  });

  it("uses the binding's GPU resource name", () => {
    const plan = planModelService("r", resnetProps, { ...gpuBinding, gpuResourceName: "amd.com/gpu" });
    const server = find(plan.kubernetesObjects, "Deployment").spec.template.spec.containers[0];
    expect(server.resources.limits["amd.com/gpu"]).toBe("1");
  });

  it("accepts a digest-pinned image", () => {
    const image = `ghcr.io/onnxfleet/onnxfleet-server@sha256:${SHA_B}`;
    const plan = planModelService("r", { ...resnetProps, image }, gpuBinding);
    expect(find(plan.kubernetesObjects, "Deployment").spec.template.spec.containers[0].image).toBe(image);
  });

  it("plans a Deployment and Service per version and a weighted HTTPRoute for a canary", () => {
    const plan = planModelService("resnet", canaryProps, gpuBinding);
    expect(plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/resnet",
      "ConfigMap/resnet-config",
      "Deployment/resnet-v3",
      "Deployment/resnet-v4",
      "Service/resnet",
      "Service/resnet-v3",
      "Service/resnet-v4",
      "PodDisruptionBudget/resnet-v3",
      "PodDisruptionBudget/resnet-v4",
      "NetworkPolicy/resnet",
      "HTTPRoute/resnet",
    ]);
    const route = find(plan.kubernetesObjects, "HTTPRoute");
    expect(route.spec.parentRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateways" },
    ]);
    expect(route.spec.rules[0].backendRefs).toEqual([
      { group: "", kind: "Service", name: "resnet-v3", port: 8000, weight: 90 },
      { group: "", kind: "Service", name: "resnet-v4", port: 8000, weight: 10 },
    ]);
    expect(find(plan.kubernetesObjects, "Service", "resnet-v4").spec.selector).toEqual({
      "app.kubernetes.io/instance": "resnet",
      "app.kubernetes.io/component": "model-server",
      "app.kubernetes.io/version": "4",
    });
    const v4 = find(plan.kubernetesObjects, "Deployment", "resnet-v4").spec.template.spec;
    expect(v4.initContainers[0].args).toContain("/models/resnet50/4/model.onnx");
    expect(v4.initContainers[0].args).toContain(SHA_B);
    expect(Object.keys(find(plan.kubernetesObjects, "ConfigMap").data)).toEqual([
      "v3.config.json",
      "v4.config.json",
    ]);
    expect(plan.s3ReadAccess?.objects).toHaveLength(2);
  });

  it("plans a ServiceMonitor on request that never scrapes a pod twice", () => {
    const plan = planModelService(
      "resnet",
      {
        ...canaryProps,
        monitoring: {
          serviceMonitor: true,
          serviceMonitorLabels: { release: "prometheus" },
          scrapeIntervalSeconds: 30,
        },
      },
      gpuBinding,
    );
    const monitor = find(plan.kubernetesObjects, "ServiceMonitor");
    expect(monitor.metadata.labels.release).toBe("prometheus");
    expect(monitor.spec).toEqual({
      selector: {
        matchLabels: plan.selectorLabels,
        matchExpressions: [{ key: "app.kubernetes.io/version", operator: "DoesNotExist" }],
      },
      endpoints: [{ port: "metrics", path: "/metrics", scheme: "http", interval: "30s" }],
    });
    // Only the shared Service lacks the version label and carries the metrics port.
    const scraped = plan.kubernetesObjects.filter(
      (o) => o.kind === "Service" && o.metadata.labels?.["app.kubernetes.io/version"] === undefined,
    );
    expect(scraped.map((s) => s.metadata.name)).toEqual(["resnet"]);
  });

  it("stores models on a PersistentVolumeClaim when given, without an emptyDir for them", () => {
    const plan = planModelService(
      "r",
      {
        ...resnetProps,
        modelStorage: { type: "persistentVolumeClaim", claimName: "models" },
      },
      gpuBinding,
    );
    const pod = find(plan.kubernetesObjects, "Deployment").spec.template.spec;
    expect(pod.volumes[0]).toEqual({ name: "models", persistentVolumeClaim: { claimName: "models" } });
    expect(pod.containers[0].resources.requests["ephemeral-storage"]).toBe("1536Mi");
  });

  it("honours custom shutdown timings, and drops the preStop hook at 0 s", () => {
    const plan = planModelService(
      "r",
      {
        ...resnetProps,
        shutdown: { preStopSleepSeconds: 0, drainDelaySeconds: 10, shutdownTimeoutSeconds: 50 },
      },
      gpuBinding,
    );
    const pod = find(plan.kubernetesObjects, "Deployment").spec.template.spec;
    expect(pod.containers[0].lifecycle).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(55);
    expect(pod.containers[0].args.slice(-4)).toEqual([
      "--drain-delay-seconds",
      "10",
      "--shutdown-timeout-seconds",
      "50",
    ]);
  });

  it("lists allowed namespaces and CIDRs in the NetworkPolicy", () => {
    const plan = planModelService(
      "r",
      {
        ...resnetProps,
        allowedSources: { sameNamespace: false, namespaces: ["gateways"], cidrs: ["10.0.0.0/16"] },
      },
      gpuBinding,
    );
    expect(find(plan.kubernetesObjects, "NetworkPolicy").spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateways" } } },
      { ipBlock: { cidr: "10.0.0.0/16" } },
    ]);
  });

  it("annotates the ServiceAccount with the IRSA role", () => {
    const arn = "arn:aws:iam::123456789012:role/resnet-reader";
    const plan = planModelService("r", { ...resnetProps, serviceAccountRoleArn: arn }, gpuBinding);
    expect(find(plan.kubernetesObjects, "ServiceAccount").metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": arn,
    });
  });
});

// #15 item 10: "When an HPA is enabled, it is recommended that the value of spec.replicas of the Deployment
// ... be removed from their manifest(s)":
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling
describe("planModelService: spec.replicas, which an autoscaler owns", () => {
  it("leaves spec.replicas out of every version's Deployment when replicas is not set", () => {
    const plan = planModelService("resnet", canaryProps, gpuBinding);
    for (const name of ["resnet-v3", "resnet-v4"]) {
      const deployment = find(plan.kubernetesObjects, "Deployment", name);
      expect(deployment.spec).not.toHaveProperty("replicas");
      validateAgainstUpstreamSchema(deployment as KubernetesObject);
    }
    expect(plan.kubernetesIgnoreChanges).toEqual([]);
  });

  it("with a fixed replicas, sets it and marks it as owned after creation (kubectl scale), outside the objects", () => {
    const plan = planModelService("resnet", { ...canaryProps, replicas: 3 }, gpuBinding);
    const deployments = ["resnet-v3", "resnet-v4"];
    for (const name of deployments) {
      const deployment = find(plan.kubernetesObjects, "Deployment", name);
      expect(deployment.spec.replicas).toBe(3);
      expect(Object.keys(deployment).sort()).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    }
    expect(plan.kubernetesIgnoreChanges.map(({ object, fields }) => ({ object, fields }))).toEqual(
      deployments.map((name) => ({ object: { kind: "Deployment", name }, fields: ["spec.replicas"] })),
    );
  });
});

describe("planModelService with values unknown until deployment", () => {
  it("passes Pulumi Outputs through untouched", () => {
    const namespace = pulumiOutput("ns");
    const uri = pulumiOutput("uri");
    const image = pulumiOutput("image");
    const arn = pulumiOutput("arn");
    const plan = planModelService(
      "r",
      {
        ...resnetProps,
        namespace,
        image,
        model: { name: "resnet50", uri, sha256: SHA_A },
        serviceAccountRoleArn: arn,
      },
      gpuBinding,
    );
    for (const o of plan.kubernetesObjects) expect(o.metadata.namespace).toBe(namespace);
    const pod = find(plan.kubernetesObjects, "Deployment").spec.template.spec;
    expect(pod.containers[0].image).toBe(image);
    expect(pod.initContainers[0].args[2]).toBe(uri);
    expect(
      find(plan.kubernetesObjects, "ServiceAccount").metadata.annotations["eks.amazonaws.com/role-arn"],
    ).toBe(arn);
    // An unknown URI cannot be turned into an S3 policy.
    expect(plan.s3ReadAccess).toBeUndefined();
    expect(plan.cloudResources).toEqual([]);
  });

  it("passes CDKTF tokens through, leaving an unknown sha256 out of the config file", () => {
    const sha256 = cdktfToken(7);
    const plan = planModelService(
      "r",
      { ...resnetProps, model: { name: "m", uri: cdktfToken(8), sha256 } },
      gpuBinding,
    );
    const pod = find(plan.kubernetesObjects, "Deployment").spec.template.spec;
    expect(pod.initContainers[0].args[4]).toBe(sha256);
    expect(
      JSON.parse(find(plan.kubernetesObjects, "ConfigMap").data["v1.config.json"]).sha256,
    ).toBeUndefined();
  });
});
