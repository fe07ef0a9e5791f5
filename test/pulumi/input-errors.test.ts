/**
 * Invalid args of the Pulumi components, under Pulumi's mocks: they throw one `pulumi.InputPropertiesError`
 * with an entry per problem and its property path (what the Pulumi CLI prints as its own), and no message
 * ever serializes a resource or an Output passed where a value belongs.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { AutoscaledEndpoint, GpuNodePool, ModelService, MultiRegionFailover } from "../../constructs/pulumi";
import { ERROR_CODES, ValidationError } from "../../src/errors";
import { SHOW_MAX_LENGTH } from "../../src/validate";
import { recordResources } from "./harness";

const recording = recordResources();
beforeEach(() => recording.reset());

const poolArgs = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
};
const serviceArgs = {
  model: {
    name: "resnet50",
    uri: "s3://models/resnet50/3/model.onnx",
    sha256: "9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c",
  },
  resources: { cpu: "2", memory: "8Gi" },
  clusterName: "prod-use1",
};

/** What `create` threw (it must throw). */
function thrownBy(create: () => unknown): Error {
  try {
    create();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error, got none");
}

describe("pulumi.InputPropertiesError", () => {
  it("GIVEN a GpuNodePool with 3 bad props WHEN created THEN one InputPropertiesError has 3 entries with their paths, and nothing is registered", async () => {
    const error = thrownBy(
      () =>
        new GpuNodePool("gpu", {
          ...poolArgs,
          instanceTypes: ["m5.large"],
          nodes: { min: 3, max: 2 },
          diskSizeGiB: 5,
        }),
    );

    expect(pulumi.InputPropertiesError.isInstance(error)).toBe(true);
    const { errors } = error as pulumi.InputPropertiesError;
    expect(errors.map((e) => e.propertyPath)).toEqual(["instanceTypes[0]", "nodes.min", "diskSizeGiB"]);
    expect(errors[0]?.reason).toMatch(/^\("m5\.large"\) has no NVIDIA GPUs/);
    expect(errors[1]?.reason).toBe("(3) must not exceed nodes.max (2)");
    expect(errors[2]?.reason).toMatch(/^\(5\) must be/);
    // The message is the core's, one line per problem naming the component; the cause keeps the code.
    expect(error.message).toMatch(/^3 problems:\n {2}GpuNodePool "gpu": instanceTypes\[0\]/);
    expect(error.cause).toBeInstanceOf(ValidationError);
    expect((error.cause as ValidationError).code).toBe(ERROR_CODES.INVALID_PROPS);
    await recording.settle();
    expect(recording.resources).toEqual([]);
  });

  it("GIVEN bad props on each component THEN each throws an InputPropertiesError with the paths of its problems", async () => {
    const service = new ModelService("resnet", serviceArgs);
    const endpoint = new AutoscaledEndpoint("resnet", {
      service,
      replicas: { min: 1, max: 2 },
      target: { inflightRequestsPerReplica: 8 },
    });
    const paths = (create: () => unknown) => {
      const error = thrownBy(create);
      expect(pulumi.InputPropertiesError.isInstance(error), error.message).toBe(true);
      return (error as pulumi.InputPropertiesError).errors.map((e) => e.propertyPath);
    };

    expect(
      paths(() => new ModelService("bad", { ...serviceArgs, replicas: -1, resources: { cpu: "two" } })),
    ).toEqual(["resources.cpu", "replicas"]);
    expect(
      paths(
        () =>
          new AutoscaledEndpoint("bad", {
            service,
            replicas: { min: 5, max: 3 },
            target: { inflightRequestsPerReplica: 0 },
          }),
      ),
    ).toEqual(expect.arrayContaining(["replicas.min", "target.inflightRequestsPerReplica"]));
    expect(
      paths(
        () =>
          new MultiRegionFailover("bad", {
            hostedZoneId: "not-a-zone",
            domainName: "infer.example.com",
            regions: [
              { region: "us-east-1", endpoint: { hostname: "a.example.com" } },
              { region: "us-east-1", endpoint: { hostname: "b.example.com" } },
            ],
          }),
      ),
    ).toEqual(["hostedZoneId", "regions[1].region"]);
    expect(endpoint.plan).toBeDefined();
  });
});

describe("messages never serialize a resource or an Output", () => {
  const cluster = new aws.eks.Cluster("cluster", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { subnetIds: ["subnet-0a1b2c3d4e5f60718"] },
  });
  const namespace = new k8s.core.v1.Namespace("models", {});
  const zone = new aws.route53.Zone("zone", { name: "example.com" });

  /** A resource, or a plain object holding one, where a value belongs (as an untyped program could). */
  const cases: { construct: string; paths: string[]; create: () => unknown }[] = [
    {
      construct: "GpuNodePool",
      paths: ["clusterName", "subnetIds[0]", "nodeRoleArn"],
      create: () =>
        new GpuNodePool("gpu", {
          ...poolArgs,
          clusterName: cluster as never,
          subnetIds: [cluster as never],
          nodeRoleArn: cluster as never,
        }),
    },
    {
      construct: "GpuNodePool",
      paths: ["instanceTypes[0]", "nodes"],
      create: () =>
        new GpuNodePool("gpu", { ...poolArgs, instanceTypes: [cluster as never], nodes: cluster as never }),
    },
    {
      construct: "ModelService",
      paths: ["namespace", "model.uri", "resources.cpu"],
      create: () =>
        new ModelService("resnet", {
          ...serviceArgs,
          namespace: namespace as never,
          model: { ...serviceArgs.model, uri: cluster as never },
          resources: { cpu: { cluster } as never },
        }),
    },
    {
      construct: "AutoscaledEndpoint",
      paths: ["exposure.tls.certificateArn", "exposure.loadBalancerCidrs"],
      create: () =>
        new AutoscaledEndpoint("resnet", {
          service: new ModelService("resnet", serviceArgs),
          replicas: { min: 1, max: 2 },
          target: { inflightRequestsPerReplica: 8 },
          exposure: {
            type: "nlb",
            loadBalancerCidrs: cluster as never,
            tls: { certificateArn: zone as never },
          },
        }),
    },
    {
      construct: "MultiRegionFailover",
      paths: ["hostedZoneId", "domainName", "regions[1].endpoint.hostname"],
      create: () =>
        new MultiRegionFailover("global", {
          hostedZoneId: zone as never,
          domainName: zone as never,
          regions: [
            { region: "us-east-1", endpoint: { hostname: "a.example.com" } },
            { region: "eu-west-1", endpoint: { hostname: zone as never } },
          ],
        }),
    },
  ];

  it.each(cases)(
    "$construct with resources at $paths names each prop in a short message",
    ({ construct, paths, create }) => {
      const error = thrownBy(create);
      for (const path of paths) {
        const line = error.message
          .split("\n")
          .find((l) => l.includes(`${construct} "`) && l.includes(`": ${path} `));
        expect(line, `a line for ${path} in:\n${error.message}`).toMatch(/an? \w+ object/);
      }
      // The value is named ("a Cluster object"), never serialized: each line is its fixed text plus at most
      // SHOW_MAX_LENGTH characters of value, and nothing of the resource's state (its URN, its outputs) shows.
      for (const text of error.message.split("\n")) expect(text.length).toBeLessThan(SHOW_MAX_LENGTH + 400);
      expect(error.message).not.toMatch(/urn:pulumi|__pulumi|isKnown|OutputImpl/);
    },
  );

  it("names an Output given where the core needs the value at synth time, without serializing it", () => {
    const error = thrownBy(
      () =>
        new GpuNodePool("gpu", {
          ...poolArgs,
          instanceTypes: pulumi.output(["g5.xlarge"]) as never,
          nodes: { min: pulumi.output(1) as never, max: 4 },
        }),
    );
    const reasons = Object.fromEntries(
      (error as pulumi.InputPropertiesError).errors.map((e) => [e.propertyPath, e.reason]),
    );
    expect(reasons.instanceTypes).toMatch(
      /^\(a value known only at deploy time: a Pulumi Output or CDKTF token\) must list at least one GPU/,
    );
    expect(error.message).not.toMatch(/OutputImpl|isKnown|resources/);
    for (const text of error.message.split("\n")) expect(text.length).toBeLessThan(SHOW_MAX_LENGTH + 400);
  });

  it("names the class of a resource given where a string belongs", () => {
    const error = thrownBy(() => new GpuNodePool("gpu", { ...poolArgs, clusterName: cluster as never }));
    // A Pulumi Output is not checked (it resolves at deploy time); a resource is a value, and a wrong one.
    expect((error as pulumi.InputPropertiesError).errors).toEqual([
      {
        propertyPath: "clusterName",
        reason: expect.stringMatching(/^\(a Cluster object\) must be an EKS cluster name/),
      },
    ]);
  });
});
