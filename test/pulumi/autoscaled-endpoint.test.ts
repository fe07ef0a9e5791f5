import * as k8s from "@pulumi/kubernetes";
import { beforeEach, describe, expect, it } from "vitest";
import { AutoscaledEndpoint, GpuNodePool, ModelService, MultiRegionFailover } from "../../constructs/pulumi";
import { ERROR_CODES } from "../../src/errors";
import { recordResources, resolved } from "./harness";

const recording = recordResources();
beforeEach(() => recording.reset());

const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const SERVICE = "kubernetes:core/v1:Service";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const model = {
  name: "resnet50",
  uri: "https://models.example.com/resnet50.onnx",
  sha256: "9f2c".padEnd(64, "0"),
};
const serviceProps = { model, auth: { tokenSecret: { name: "resnet-token" } } };
const endpointProps = {
  replicas: { min: 2, max: 20 },
  target: { inflightRequestsPerReplica: 8 },
  exposure: {
    type: "nlb" as const,
    scheme: "internet-facing" as const,
    sourceRanges: ["203.0.113.0/24"],
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: {
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
    },
  },
};

describe("AutoscaledEndpoint behind an NLB", () => {
  it("creates an HPA per Deployment and the NLB Service as children, on the cluster's provider", async () => {
    const kubernetes = new k8s.Provider("k8s-use1", { kubeconfig: "{}" });
    const service = new ModelService("resnet", serviceProps, { providers: { kubernetes } });
    new AutoscaledEndpoint("resnet", { ...endpointProps, service }, { providers: { kubernetes } });
    await recording.settle();

    const endpoint = recording.get("onnxfleet:index:AutoscaledEndpoint", "resnet");
    const children = recording.childrenOf(endpoint);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${HPA} resnet-v1`,
        `${SERVICE} resnet-nlb`,
        "kubernetes:networking.k8s.io/v1:NetworkPolicy resnet-nlb",
        "kubernetes:core/v1:NamespacePatch resnet-namespace-labels",
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor resnet",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule resnet",
        "kubernetes:core/v1:ConfigMap resnet-dashboard",
      ].sort(),
    );
    const providerUrn = await resolved(kubernetes.urn);
    for (const child of children) expect(child.provider.startsWith(`${providerUrn}::`)).toBe(true);

    const hpa = recording.get(HPA, "resnet-v1");
    expect(hpa.inputs.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "resnet-v1" },
      minReplicas: 2,
      maxReplicas: 20,
    });
    // The autoscaler waits for the Deployment it scales, and the Deployment carries no spec.replicas at all
    // (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling).
    const deployment = recording.get("kubernetes:apps/v1:Deployment", "resnet-v1");
    expect(hpa.dependencies).toContain(deployment.urn);
    expect(deployment.inputs.spec).not.toHaveProperty("replicas");
    expect((recording.get(SERVICE, "resnet-nlb").inputs.spec as { type: string }).type).toBe("LoadBalancer");
  });

  // #15 item 6: the controller injects its readiness gate only into pods of a labelled namespace:
  // https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/
  it("labels the service's namespace for the NLB pod readiness gate, patching only that label", async () => {
    const service = new ModelService("resnet", { ...serviceProps, namespace: "inference" });
    new AutoscaledEndpoint("resnet", { ...endpointProps, service });
    await recording.settle();
    const patch = recording.get("kubernetes:core/v1:NamespacePatch", "resnet-namespace-labels");
    expect(patch.inputs.metadata).toEqual({
      name: "inference",
      labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
    });
  });

  it("exposes the NLB hostname from the Service's status, and its port and scheme", async () => {
    const service = new ModelService("resnet", serviceProps);
    const endpoint = new AutoscaledEndpoint("resnet", { ...endpointProps, service });
    // The mock engine fills status.loadBalancer.ingress[0].hostname of a LoadBalancer Service with this name.
    expect(await resolved(endpoint.hostname!)).toBe("resnet-nlb.elb.mock.amazonaws.com");
    expect(endpoint.port).toBe(443);
    expect(endpoint.protocol).toBe("HTTPS");
    expect(endpoint.scheme).toBe("internet-facing");
    expect(endpoint.serviceName).toBe("resnet");
  });

  it("feeds MultiRegionFailover: the records point at each region's NLB hostname, checked over HTTPS", async () => {
    const endpoints = ["east", "west"].map((side) => {
      const service = new ModelService(`resnet-${side}`, serviceProps);
      return new AutoscaledEndpoint(`resnet-${side}`, {
        ...endpointProps,
        exposure: { ...endpointProps.exposure, admitRoute53HealthCheckers: true },
        service,
      });
    });
    new MultiRegionFailover("resnet-global", {
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      domainName: "infer.example.com",
      regions: [
        { region: "us-east-1", endpoint: endpoints[0]! },
        { region: "us-west-2", endpoint: endpoints[1]! },
      ],
    });
    await recording.settle();

    const record = recording.get("aws:route53/record:Record", "resnet-global-us-west-2-record");
    expect(record.inputs.records).toEqual(["resnet-west-nlb.elb.mock.amazonaws.com"]);
    const check = recording.get(
      "aws:route53/healthCheck:HealthCheck",
      "resnet-global-us-east-1-health-check",
    );
    expect(check.inputs).toMatchObject({
      fqdn: "resnet-east-nlb.elb.mock.amazonaws.com",
      type: "HTTPS",
      port: 443,
      enableSni: true,
    });
    // The health check waits for the load balancer Service whose hostname it probes.
    expect(check.dependencies).toContain(recording.get(SERVICE, "resnet-east-nlb").urn);
  });
});

describe("AutoscaledEndpoint (other modes)", () => {
  it("scales with a KEDA ScaledObject custom resource when asked", async () => {
    const service = new ModelService("resnet", serviceProps);
    new AutoscaledEndpoint("resnet", {
      ...endpointProps,
      service,
      autoscaler: { type: "keda", prometheusServerAddress: "http://prometheus.monitoring:9090" },
    });
    await recording.settle();

    expect(recording.ofType(HPA)).toEqual([]);
    expect(recording.get(SCALED_OBJECT, "resnet-v1").inputs).toMatchObject({
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      spec: { minReplicaCount: 2, maxReplicaCount: 20 },
    });
  });

  it("creates no load balancer for clusterIP exposure, and has no hostname", async () => {
    const service = new ModelService("resnet", serviceProps);
    const endpoint = new AutoscaledEndpoint("resnet", {
      ...endpointProps,
      service,
      exposure: { type: "clusterIP" },
    });
    await recording.settle();

    expect(recording.ofType(SERVICE).map((s) => s.name)).toEqual(["resnet"]);
    expect(endpoint.hostname).toBeUndefined();
  });

  it("is refused by MultiRegionFailover when internal: Route53 cannot probe it", () => {
    const service = new ModelService("resnet", serviceProps);
    const endpoint = new AutoscaledEndpoint("resnet", {
      ...endpointProps,
      service,
      exposure: { type: "nlb", scheme: "internal", loadBalancerCidrs: ["10.0.0.0/16"] },
    });
    expect(
      () =>
        new MultiRegionFailover("resnet-global", {
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
          domainName: "infer.example.com",
          regions: [
            { region: "us-east-1", endpoint },
            { region: "us-west-2", endpoint: { hostname: "lb.example.com" } },
          ],
        }),
    ).toThrow(
      /MultiRegionFailover "resnet-global": regions\[0\]\.endpoint\.scheme \("internal"\) cannot be health-checked/,
    );
  });
});

describe("AutoscaledEndpoint (invalid props)", () => {
  it("fails with the core's message and creates nothing of its own", async () => {
    const service = new ModelService("resnet", serviceProps);
    await recording.settle();
    const before = recording.resources.length;
    expect(
      () => new AutoscaledEndpoint("resnet", { ...endpointProps, service, replicas: { min: 5, max: 3 } }),
    ).toThrow(
      expect.objectContaining({
        errors: [expect.objectContaining({ propertyPath: "replicas.min" })],
        cause: expect.objectContaining({ code: ERROR_CODES.INVALID_PROPS }),
        message: expect.stringContaining('AutoscaledEndpoint "resnet": replicas.min (5)'),
      }),
    );
    await recording.settle();
    expect(recording.resources.length).toBe(before);
  });
});

// #15 item 7: two endpoints that each fit their pool alone can still leave pods Pending together.
describe("AutoscaledEndpoints sharing one GpuNodePool", () => {
  it("refuses the one whose replicas.max, with the others' on the pool, exceeds its GPUs at nodes.max", async () => {
    const pool = new GpuNodePool("gpu", {
      clusterName: "prod-use1",
      subnetIds: ["subnet-0a1b2c3d4e5f60718"],
      instanceTypes: ["g5.xlarge"],
      nodes: { min: 1, max: 8 },
    });
    const onPool = { ...serviceProps, resources: { gpu: 1 }, nodePool: pool };
    const a = new ModelService("a", onPool);
    const b = new ModelService("b", onPool);
    new AutoscaledEndpoint("a", { ...endpointProps, service: a, replicas: { min: 2, max: 5 } });
    await recording.settle();
    const before = recording.resources.length;
    expect(
      () => new AutoscaledEndpoint("b", { ...endpointProps, service: b, replicas: { min: 2, max: 5 } }),
    ).toThrow(
      expect.objectContaining({
        errors: [expect.objectContaining({ propertyPath: "replicas.max" })],
        cause: expect.objectContaining({
          code: ERROR_CODES.INVALID_PROPS,
          problems: [expect.objectContaining({ path: "replicas.max", code: ERROR_CODES.POOL_GPUS_EXCEEDED })],
        }),
        message: expect.stringContaining(
          'AutoscaledEndpoint "b": replicas.max (5) x 1 model version(s) x resources.gpu (1) of ModelService "b" ' +
            'shares node pool "gpu" with AutoscaledEndpoint "a" (5 pod(s) of 1 GPU(s)): together 10 pod(s)',
        ),
      }),
    );
    await recording.settle();
    expect(recording.resources.length).toBe(before);
    // Within the pool's 8 nodes together, it is accepted.
    new AutoscaledEndpoint("b", { ...endpointProps, service: b, replicas: { min: 2, max: 3 } });
  });
});
