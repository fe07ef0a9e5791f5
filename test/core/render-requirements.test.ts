/**
 * `onnxfleet render` says what it cannot create (#15, `onnxfleet render`): a rendered file holds Kubernetes
 * objects only, so the cloud resources the topology needs (node group, IAM roles and policies, Pod Identity
 * association, Route53 health checks and records) are listed on stderr and in the file's header comment with
 * their planned properties as JSON, beside the cluster requirements the objects assume: the namespace label of
 * the AWS Load Balancer Controller's pod readiness gate
 * (https://kubernetes-sigs.github.io/aws-load-balancer-controller/v2.7/deploy/pod_readiness_gate/), the order
 * pods wait for their Pod Identity association, and the Prometheus Adapter rule of the HPA.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { planModelServiceCloud } from "../../src/plan/model-pod-identity";
import { parseTopology, planTopology, renderTopology, type TopologyFile } from "../../src/render";
import { topologyRequirements } from "../../src/topology-requirements";
import { runCli } from "./support/cli-run";

const root = new URL("../../", import.meta.url).pathname;
const resnetYaml = "examples/topology/resnet.yaml";

/** `onnxfleet render PATH`, PATH read from the repository unless `text` is given. */
const run = (path: string, text?: string) =>
  runCli(["render", path], text === undefined ? {} : { [path]: text });

/** `<construct> "<name>": <type> <logicalName> <properties JSON>[ <extra JSON>]` lines, parsed. */
function listedResources(text: string, prefix: string) {
  const pattern = new RegExp(
    `^${prefix} {2}(\\w+) "([\\w-]+)": (\\S+) (\\S+) (\\{.*?\\})(?: (\\{"(?:dependsOn|ignoreChanges)".*\\}))?$`,
  );
  return text
    .split("\n")
    .map((line) => pattern.exec(line))
    .filter((match) => match !== null)
    .map((m) => ({
      construct: m[1],
      name: m[2],
      type: m[3],
      logicalName: m[4],
      properties: JSON.parse(m[5]!),
    }));
}

describe("onnxfleet render examples/topology/resnet.yaml: what it cannot create", () => {
  const topology = parseTopology(readFileSync(`${root}${resnetYaml}`, "utf8"));
  const plan = planTopology(topology);

  it("lists on stderr every cloud resource of the plans, with exactly their planned properties", async () => {
    const result = await run(resnetYaml);
    expect(result.code).toBe(0);
    const listed = listedResources(result.stderr, "");
    const service = plan.modelServices.resnet!;
    const planned = [
      ...plan.gpuNodePools.gpu!.cloudResources.map((r) => ({ construct: "GpuNodePool", name: "gpu", r })),
      ...planModelServiceCloud(service, "prod-use1").cloudResources.map((r) => ({
        construct: "ModelService",
        name: "resnet",
        r,
      })),
    ];
    expect(listed).toEqual(
      planned.map(({ construct, name, r }) => ({
        construct,
        name,
        type: r.type,
        logicalName: r.logicalName,
        properties: JSON.parse(JSON.stringify(r.properties)),
      })),
    );
    expect(listed.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "aws:eks:NodeGroup",
        "aws:iam:Role",
        "aws:iam:Policy",
        "aws:iam:RolePolicyAttachment",
        "aws:ec2:LaunchTemplate",
        "aws:eks:PodIdentityAssociation",
      ]),
    );
  });

  it("puts the same list in the rendered file's header comment, which leaves the YAML documents intact", async () => {
    const result = await run(resnetYaml);
    const header = result.stdout.match(/^(#.*\n)+/)?.[0] ?? "";
    expect(listedResources(header, "# ")).toEqual(listedResources(result.stderr, ""));
    const objects = parseAllDocuments(result.stdout).map((d) => d.toJS());
    expect(objects).toEqual(JSON.parse(JSON.stringify(plan.kubernetesObjects)));
    expect(result.stdout).toBe(renderTopology(topology));
  });

  it("states the readiness gate's namespace label, the pods' wait for Pod Identity and the adapter rule", async () => {
    const { stderr, stdout } = await run(resnetYaml);
    for (const text of [stderr, stdout]) {
      expect(text).toContain(
        'AutoscaledEndpoint "resnet": namespace "inference" labelled, before its pods are created: ' +
          '{"elbv2.k8s.aws/pod-readiness-gate-inject":"enabled"}',
      );
      expect(text).toContain(
        'ModelService "resnet": apply Deployment resnet-v1 only after these cloud resources exist: ' +
          '["resnet-model-read","resnet-pod-role","resnet-pod-role-model-read","resnet-pod-identity"]',
      );
      expect(text).toContain("a Prometheus Adapter rule serving the pods metric onnxfleet_inflight_requests");
    }
  });

  it("names the association's cluster from the service's clusterName when no pool is bound", () => {
    const internet = parseTopology(readFileSync(`${root}examples/topology/resnet-internet.yaml`, "utf8"));
    const association = topologyRequirements(internet, planTopology(internet)).cloudResources.find(
      (r) => r.resource.type === "aws:eks:PodIdentityAssociation",
    );
    expect(association?.resource.properties).toMatchObject({
      clusterName: "prod-use1",
      serviceAccount: "resnet",
    });
  });

  it("lists a failover's Route53 health checks, records and alarms", () => {
    // Route53 checks from the internet: the internet-facing example's endpoint.
    const internet = parseTopology(readFileSync(`${root}examples/topology/resnet-internet.yaml`, "utf8"));
    const withFailover: TopologyFile = {
      ...internet,
      multiRegionFailovers: {
        global: {
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
          domainName: "infer.example.com",
          routing: "failover",
          regions: [
            { region: "us-east-1", endpoint: "resnet", hostname: "a.elb.us-east-1.amazonaws.com" },
            { region: "eu-west-1", endpoint: "resnet", hostname: "b.elb.eu-west-1.amazonaws.com" },
          ],
        },
      },
    };
    const listed = topologyRequirements(withFailover, planTopology(withFailover)).cloudResources.filter(
      (r) => r.construct === "MultiRegionFailover",
    );
    expect(new Set(listed.map((r) => r.resource.type))).toEqual(
      new Set(["aws:route53:HealthCheck", "aws:route53:Record", "aws:cloudwatch:MetricAlarm"]),
    );
  });

  it("prints no header and nothing on stderr when the topology needs nothing outside Kubernetes", async () => {
    const cpuOnly: TopologyFile = {
      modelServices: {
        web: {
          model: { name: "m", uri: "https://models.example.com/m.onnx", sha256: "a".repeat(64) },
        },
      },
    };
    const result = await run("t.yaml", JSON.stringify(cpuOnly));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.startsWith("apiVersion:")).toBe(true);
  });
});
