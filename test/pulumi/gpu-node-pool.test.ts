import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { GpuNodePool } from "../../constructs/pulumi";
import { ERROR_CODES, type ValidationError } from "../../src/errors";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { recordResources, resolved } from "./harness";

const recording = recordResources();
beforeEach(() => recording.reset());

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
const CUSTOM_RESOURCE_NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const CUSTOM_RESOURCE_NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

const props = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
  instanceTypes: ["g5.xlarge", "g6.xlarge"],
  nodes: { min: 1, max: 8 },
};

function regionProviders(region: string) {
  return {
    aws: new aws.Provider(`aws-${region}`, { region: region as aws.Region }),
    kubernetes: new k8s.Provider(`k8s-${region}`, { kubeconfig: "{}" }),
  };
}

describe("GpuNodePool (managed node group)", () => {
  it("GIVEN props and providers WHEN created THEN every child is parented to the pool and uses its region's provider", async () => {
    const providers = regionProviders("us-east-1");
    new GpuNodePool("gpu-use1", props, { providers });
    await recording.settle();

    const pool = recording.get("onnxfleet:index:GpuNodePool", "gpu-use1");
    const children = recording.childrenOf(pool);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${ROLE} gpu-use1-node-role`,
        `${ATTACHMENT} gpu-use1-node-role-AmazonEKSWorkerNodePolicy`,
        `${ATTACHMENT} gpu-use1-node-role-AmazonEC2ContainerRegistryReadOnly`,
        `${ATTACHMENT} gpu-use1-node-role-AmazonEKS_CNI_Policy`,
        `${LAUNCH_TEMPLATE} gpu-use1-launch-template`,
        `${NODE_GROUP} gpu-use1-node-group`,
        `${DAEMON_SET} nvidia-device-plugin-gpu-use1`,
      ].sort(),
    );
    const awsUrn = await resolved(providers.aws.urn);
    const k8sUrn = await resolved(providers.kubernetes.urn);
    for (const child of children) {
      const expected = child.type.startsWith("aws:") ? awsUrn : k8sUrn;
      expect(child.provider.startsWith(`${expected}::`), `${child.name} provider`).toBe(true);
    }
  });

  it("GIVEN the defaults THEN the node group runs the NVIDIA AL2023 AMI with the GPU taint, labels and scaling", async () => {
    new GpuNodePool("gpu", { ...props, capacityType: "SPOT" });
    await recording.settle();

    const nodeGroup = recording.get(NODE_GROUP, "gpu-node-group");
    expect(nodeGroup.inputs).toMatchObject({
      clusterName: "prod-use1",
      subnetIds: props.subnetIds,
      amiType: "AL2023_x86_64_NVIDIA",
      capacityType: "SPOT",
      instanceTypes: ["g5.xlarge", "g6.xlarge"],
      scalingConfig: { minSize: 1, maxSize: 8, desiredSize: 1 },
      taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
      labels: expect.objectContaining({ "onnxfleet.dev/node-pool": "gpu" }),
    });
    // The cluster autoscaler owns the desired size after creation.
    expect(nodeGroup.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
  });

  it("wires the launch template and node role into the node group, after the role's policies are attached", async () => {
    new GpuNodePool("gpu", props);
    await recording.settle();

    const nodeGroup = recording.get(NODE_GROUP, "gpu-node-group");
    const template = recording.get(LAUNCH_TEMPLATE, "gpu-launch-template");
    const role = recording.get(ROLE, "gpu-node-role");
    // The template's `latestVersion` output is a number (1 under the mocks); the core asks for a string.
    expect(nodeGroup.inputs.launchTemplate).toEqual({ id: "gpu-launch-template-id", version: "1" });
    expect(nodeGroup.inputs.nodeRoleArn).toBe("arn:aws:mock::123456789012:Role/gpu-node-role");
    expect(nodeGroup.dependencies).toEqual(
      expect.arrayContaining([template.urn, role.urn, ...recording.ofType(ATTACHMENT).map((a) => a.urn)]),
    );
    for (const attachment of recording.ofType(ATTACHMENT)) {
      expect(attachment.inputs.role).toBe("gpu-node-role-mockid");
    }
    expect(recording.ofType(ATTACHMENT).map((a) => a.inputs.policyArn)).toEqual([
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]);
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).toEqual({
      Service: "ec2.amazonaws.com",
    });
  });

  it.each([1, 2] as const)("requires IMDSv2 with hop limit %i and sizes the container disk", async (hops) => {
    new GpuNodePool("gpu", { ...props, imdsHopLimit: hops, diskSizeGiB: 200 });
    await recording.settle();

    const template = recording.get(LAUNCH_TEMPLATE, "gpu-launch-template");
    expect(template.inputs.metadataOptions).toMatchObject({
      httpTokens: "required",
      httpPutResponseHopLimit: hops,
    });
    expect(template.inputs.blockDeviceMappings).toEqual([
      expect.objectContaining({ ebs: expect.objectContaining({ volumeSize: 200, volumeType: "gp3" }) }),
    ]);
  });

  it("installs no device plugin on Bottlerocket, whose AMI ships one", async () => {
    new GpuNodePool("gpu", { ...props, amiType: "BOTTLEROCKET_x86_64_NVIDIA" });
    await recording.settle();

    expect(recording.get(NODE_GROUP, "gpu-node-group").inputs.amiType).toBe("BOTTLEROCKET_x86_64_NVIDIA");
    expect(recording.ofType(DAEMON_SET)).toEqual([]);
  });

  it("exposes the node group name, the role ARN and the core's binding as outputs", async () => {
    const pool = new GpuNodePool("gpu", props);
    expect(await resolved(pool.nodeGroupName!)).toBe("gpu-node-group-mockid");
    expect(await resolved(pool.nodeRoleArn!)).toBe("arn:aws:mock::123456789012:Role/gpu-node-role");
    expect(pool.binding).toEqual(planGpuNodePool("gpu", props).binding);
    expect(pool.binding.tolerations).toEqual([
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("with nodeRoleArn creates no role and no attachment, and uses and exposes the given role", async () => {
    const nodeRoleArn = pulumi.output("arn:aws:iam::123456789012:role/shared-gpu-nodes");
    const pool = new GpuNodePool("gpu", { ...props, nodeRoleArn });
    await recording.settle();

    expect(recording.ofType(ROLE)).toEqual([]);
    expect(recording.ofType(ATTACHMENT)).toEqual([]);
    expect(recording.get(NODE_GROUP, "gpu-node-group").inputs.nodeRoleArn).toBe(
      "arn:aws:iam::123456789012:role/shared-gpu-nodes",
    );
    expect(await resolved(pool.nodeRoleArn!)).toBe("arn:aws:iam::123456789012:role/shared-gpu-nodes");
  });

  it("passes Pulumi Outputs for the cluster name and subnets through to the node group", async () => {
    const clusterName = pulumi.output("from-another-stack");
    const subnetIds = pulumi.output(["subnet-00000000000000001"]);
    new GpuNodePool("gpu", { ...props, clusterName, subnetIds });
    await recording.settle();

    expect(recording.get(NODE_GROUP, "gpu-node-group").inputs).toMatchObject({
      clusterName: "from-another-stack",
      subnetIds: ["subnet-00000000000000001"],
    });
  });
});

describe("GpuNodePool (Karpenter)", () => {
  it("creates the NodePool and EC2NodeClass custom resources and no AWS resource", async () => {
    const karpenterProps = {
      ...props,
      nodes: { min: 0, max: 8 },
      mode: "karpenter" as const,
      karpenter: { nodeRoleName: "KarpenterNodeRole-prod" },
    };
    new GpuNodePool("gpu", karpenterProps);
    await recording.settle();

    const planned = planGpuNodePool("gpu", karpenterProps).kubernetesObjects;
    const nodePool = recording.get(CUSTOM_RESOURCE_NODE_POOL, "gpu");
    const nodeClass = recording.get(CUSTOM_RESOURCE_NODE_CLASS, "gpu");
    expect(nodePool.inputs).toEqual(planned.find((o) => o.kind === "NodePool"));
    expect(nodeClass.inputs).toEqual(planned.find((o) => o.kind === "EC2NodeClass"));
    expect(recording.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  });
});

describe("GpuNodePool (invalid props)", () => {
  it("fails with the core's message naming construct, prop and value, and creates nothing", () => {
    let error: unknown;
    try {
      new GpuNodePool("gpu", { ...props, instanceTypes: ["m5.large"], nodes: { min: 3, max: 2 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(pulumi.InputPropertiesError);
    expect(((error as Error).cause as ValidationError).code).toBe(ERROR_CODES.INVALID_PROPS);
    expect((error as Error).message).toMatch(/GpuNodePool "gpu": instanceTypes\[0\] .*m5\.large/);
    expect((error as Error).message).toMatch(/GpuNodePool "gpu": nodes\.min \(3\)/);
    expect(recording.resources).toEqual([]);
  });
});
