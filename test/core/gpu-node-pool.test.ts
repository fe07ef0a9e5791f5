import { describe, expect, it } from "vitest";
import { ERROR_CODES, ValidationError } from "../../src/errors";
import { type GpuNodePoolPlan, planGpuNodePool } from "../../src/plan/gpu-node-pool";
import type { CloudResourcePlan } from "../../src/plan/types";
import type { GpuNodePoolProps } from "../../src/specs/gpu-node-pool";

const base: GpuNodePoolProps = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  instanceTypes: ["g5.xlarge", "g6.xlarge"],
  nodes: { min: 1, max: 8 },
};
const pulumiOutput = { __pulumiOutput: true };
const cdktfToken = ["$", "{TfToken[TOKEN.7]}"].join("");

function resource(plan: GpuNodePoolPlan, type: string): CloudResourcePlan {
  const found = plan.cloudResources.filter((r) => r.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function problems(props: unknown, name = "gpu"): string[] {
  try {
    planGpuNodePool(name, props as GpuNodePoolProps);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe(ERROR_CODES.INVALID_PROPS);
    return (error as ValidationError).problems.map((p) => `${p.path} ${p.reason}`);
  }
  throw new Error("expected a ValidationError");
}

describe("GpuNodePool, managed mode (the default)", () => {
  const plan = planGpuNodePool("gpu", base);

  it("plans the node role, its three managed policies, the launch template and the node group, in order", () => {
    expect(plan.cloudResources.map((r) => [r.type, r.logicalName])).toEqual([
      ["aws:iam:Role", "gpu-node-role"],
      ["aws:iam:RolePolicyAttachment", "gpu-node-role-AmazonEKSWorkerNodePolicy"],
      ["aws:iam:RolePolicyAttachment", "gpu-node-role-AmazonEC2ContainerRegistryReadOnly"],
      ["aws:iam:RolePolicyAttachment", "gpu-node-role-AmazonEKS_CNI_Policy"],
      ["aws:ec2:LaunchTemplate", "gpu-launch-template"],
      ["aws:eks:NodeGroup", "gpu-node-group"],
    ]);
  });

  it("gives the node role to EC2 only, and nothing but the three worker policies", () => {
    const role = resource(plan, "aws:iam:Role");
    expect(JSON.parse(role.properties.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    const attachments = plan.cloudResources.filter((r) => r.type === "aws:iam:RolePolicyAttachment");
    expect(attachments.map((a) => a.properties)).toEqual([
      {
        role: { $ref: "gpu-node-role", attribute: "name" },
        policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      },
      {
        role: { $ref: "gpu-node-role", attribute: "name" },
        policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      },
      {
        role: { $ref: "gpu-node-role", attribute: "name" },
        policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
      },
    ]);
  });

  it("requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume of 100 GiB", () => {
    const template = resource(plan, "aws:ec2:LaunchTemplate");
    expect(template.properties.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    });
    expect(template.properties.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
      },
    ]);
  });

  // #15 item 7, https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
  // (auto-discovery tags; node-template resources/label/taint tags to scale a node group from zero).
  it("tags the node group for the Cluster Autoscaler: auto-discovery and a scale-from-zero node template", () => {
    const labelled = planGpuNodePool("gpu", { ...base, labels: { "team.example.com/owner": "ml" } });
    expect(resource(labelled, "aws:eks:NodeGroup").properties.tags).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/prod-use1": "owned",
      // g5.xlarge and g6.xlarge: one GPU each (the smallest count of the pool's types)
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
      "k8s.io/cluster-autoscaler/node-template/label/team.example.com/owner": "ml",
      "k8s.io/cluster-autoscaler/node-template/label/onnxfleet.dev/node-pool": "gpu",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
    });
    const mixed = planGpuNodePool("gpu", { ...base, instanceTypes: ["g5.12xlarge", "g5.48xlarge"] });
    expect(resource(mixed, "aws:eks:NodeGroup").properties.tags).toMatchObject({
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "4",
    });
    // An unresolved cluster name cannot be a tag key; EKS tags the group's Auto Scaling group with it.
    const lazy = planGpuNodePool("gpu", { ...base, clusterName: pulumiOutput as unknown as string });
    expect(Object.keys(resource(lazy, "aws:eks:NodeGroup").properties.tags as object)).not.toContain(
      "k8s.io/cluster-autoscaler/[object Object]",
    );
  });

  it("plans the node group: AL2023 NVIDIA, on-demand, scaling, label, GPU taint, launch template", () => {
    const group = resource(plan, "aws:eks:NodeGroup");
    expect(group.properties).toMatchObject({
      clusterName: "prod-use1",
      nodeRoleArn: { $ref: "gpu-node-role", attribute: "arn" },
      subnetIds: base.subnetIds,
      amiType: "AL2023_x86_64_NVIDIA",
      capacityType: "ON_DEMAND",
      instanceTypes: ["g5.xlarge", "g6.xlarge"],
      scalingConfig: { minSize: 1, maxSize: 8, desiredSize: 1 },
      labels: { "onnxfleet.dev/node-pool": "gpu" },
      taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
      launchTemplate: {
        id: { $ref: "gpu-launch-template", attribute: "id" },
        version: { $ref: "gpu-launch-template", attribute: "latestVersion", as: "string" },
      },
    });
    expect(group.properties).not.toHaveProperty("diskSize"); // EKS refuses diskSize with a launch template
    expect(group.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
    expect(group.dependsOn).toEqual([
      "gpu-node-role-AmazonEKSWorkerNodePolicy",
      "gpu-node-role-AmazonEC2ContainerRegistryReadOnly",
      "gpu-node-role-AmazonEKS_CNI_Policy",
    ]);
  });

  it("plans the NVIDIA device plugin on AL2023, on the pool's nodes only", () => {
    expect(plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(
      ["DaemonSet/kube-system/nvidia-device-plugin-gpu"],
    );
    expect(plan.kubernetesObjects[0]!.metadata.labels).toEqual({
      "app.kubernetes.io/name": "nvidia-device-plugin",
      "app.kubernetes.io/instance": "gpu",
      "app.kubernetes.io/component": "device-plugin",
      "app.kubernetes.io/managed-by": "onnxfleet",
    });
    const pod = (plan.kubernetesObjects[0]!.spec as { template: { spec: Record<string, unknown> } }).template
      .spec;
    expect(pod.nodeSelector).toEqual({ "onnxfleet.dev/node-pool": "gpu" });
    expect(pod.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    const [container] = pod.containers as { securityContext: unknown; image: string }[];
    expect(container!.image).toBe("nvcr.io/nvidia/k8s-device-plugin:v0.17.1");
    expect(container!.securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.volumes).toEqual([
      { name: "device-plugin", hostPath: { path: "/var/lib/kubelet/device-plugins", type: "Directory" } },
    ]);
  });

  it("binds workloads with the pool selector, a toleration of the GPU taint and the smallest GPU offer", () => {
    expect(plan.binding).toEqual({
      poolName: "gpu",
      nodeSelector: { "onnxfleet.dev/node-pool": "gpu" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      gpuResourceName: "nvidia.com/gpu",
      gpusPerNode: 1,
      gpuMemoryGiB: 24,
      instanceTypes: ["g5.xlarge", "g6.xlarge"],
      maxNodes: 8,
    });
  });

  it("offers the least GPU count and memory of mixed instance types, and bounds the pool's GPUs", () => {
    const mixed = planGpuNodePool("big", { ...base, instanceTypes: ["g6e.12xlarge", "g5.48xlarge"] });
    expect(mixed.binding).toMatchObject({ gpusPerNode: 4, gpuMemoryGiB: 24 });
    expect(mixed.capacity).toEqual({ gpusPerNode: 4, gpuMemoryGiB: 24, maxGpusPerNode: 8, maxGpus: 64 });
  });

  it("applies SPOT, desired, disk size, labels and hop limit 2", () => {
    const custom = planGpuNodePool("spot", {
      ...base,
      capacityType: "SPOT",
      nodes: { min: 0, max: 4, desired: 2 },
      diskSizeGiB: 250,
      labels: { team: "vision" },
      imdsHopLimit: 2,
    });
    const group = resource(custom, "aws:eks:NodeGroup");
    expect(group.properties).toMatchObject({
      capacityType: "SPOT",
      scalingConfig: { minSize: 0, maxSize: 4, desiredSize: 2 },
      labels: { team: "vision", "onnxfleet.dev/node-pool": "spot" },
    });
    const template = resource(custom, "aws:ec2:LaunchTemplate").properties as {
      metadataOptions: { httpPutResponseHopLimit: number };
      blockDeviceMappings: { ebs: { volumeSize: number } }[];
    };
    expect(template.metadataOptions.httpPutResponseHopLimit).toBe(2);
    expect(template.blockDeviceMappings[0]!.ebs.volumeSize).toBe(250);
  });
});

describe("GpuNodePool with an existing node role (nodeRoleArn)", () => {
  const roleArn = "arn:aws:iam::123456789012:role/eks/shared-gpu-nodes";

  it("plans no role and no policy attachment, and gives the node group the role as given", () => {
    const plan = planGpuNodePool("gpu", { ...base, nodeRoleArn: roleArn });
    expect(plan.cloudResources.map((r) => r.type)).toEqual(["aws:ec2:LaunchTemplate", "aws:eks:NodeGroup"]);
    const group = resource(plan, "aws:eks:NodeGroup");
    expect(group.properties.nodeRoleArn).toBe(roleArn);
    expect(group.dependsOn).toBeUndefined();
    expect(plan.spec.nodeRoleArn).toBe(roleArn);
  });

  it("accepts role ARNs of other partitions and passes unresolved values through unchecked", () => {
    const china = "arn:aws-cn:iam::123456789012:role/nodes";
    expect(
      resource(planGpuNodePool("gpu", { ...base, nodeRoleArn: china }), "aws:eks:NodeGroup").properties
        .nodeRoleArn,
    ).toBe(china);
    const group = resource(
      planGpuNodePool("gpu", { ...base, nodeRoleArn: pulumiOutput }),
      "aws:eks:NodeGroup",
    );
    expect(group.properties.nodeRoleArn).toBe(pulumiOutput);
    const token = resource(planGpuNodePool("gpu", { ...base, nodeRoleArn: cdktfToken }), "aws:eks:NodeGroup");
    expect(token.properties.nodeRoleArn).toBe(cdktfToken);
  });

  it.each([
    ["a role name", "shared-gpu-nodes"],
    ["a user ARN", "arn:aws:iam::123456789012:user/alice"],
    ["an instance profile ARN", "arn:aws:iam::123456789012:instance-profile/nodes"],
    ["a short account", "arn:aws:iam::1234:role/nodes"],
    ["a number", 42],
  ])("refuses %s with the expected form", (_, value) => {
    expect(problems({ ...base, nodeRoleArn: value })).toEqual([
      `nodeRoleArn (${JSON.stringify(value)}) must be an IAM role ARN like "arn:aws:iam::123456789012:role/eks-nodes"`,
    ]);
  });

  it("is refused in karpenter mode, pointing to karpenter.nodeRoleName", () => {
    expect(
      problems({
        ...base,
        subnetIds: undefined,
        nodes: { min: 0, max: 2 },
        mode: "karpenter",
        karpenter: { nodeRoleName: "KarpenterNodeRole" },
        nodeRoleArn: roleArn,
      }),
    ).toEqual([
      "nodeRoleArn applies to managed mode only; in karpenter mode give the role's name in " +
        "karpenter.nodeRoleName (an EC2NodeClass takes a role name, not an ARN)",
    ]);
  });
});

describe("GpuNodePool on Bottlerocket", () => {
  const plan = planGpuNodePool("br", { ...base, amiType: "BOTTLEROCKET_x86_64_NVIDIA", diskSizeGiB: 80 });

  it("plans no device plugin: Bottlerocket's NVIDIA variant runs it on the host", () => {
    expect(plan.kubernetesObjects).toEqual([]);
  });

  it("sizes the data volume /dev/xvdb, where Bottlerocket keeps images", () => {
    const template = resource(plan, "aws:ec2:LaunchTemplate").properties as {
      blockDeviceMappings: { deviceName: string; ebs: { volumeSize: number } }[];
    };
    expect(template.blockDeviceMappings.map((m) => [m.deviceName, m.ebs.volumeSize])).toEqual([
      ["/dev/xvdb", 80],
    ]);
    expect(resource(plan, "aws:eks:NodeGroup").properties.amiType).toBe("BOTTLEROCKET_x86_64_NVIDIA");
  });
});

describe("GpuNodePool, karpenter mode", () => {
  const props: GpuNodePoolProps = {
    clusterName: "prod-use1",
    instanceTypes: ["g6.xlarge", "g6.2xlarge"],
    nodes: { min: 0, max: 5 },
    capacityType: "SPOT",
    mode: "karpenter",
    karpenter: { nodeRoleName: "KarpenterNodeRole-prod-use1", amiVersion: "v20250920" },
  };
  const plan = planGpuNodePool("kgpu", props);
  const byKind = (kind: string) => plan.kubernetesObjects.find((o) => o.kind === kind)!;

  it("plans a NodePool, an EC2NodeClass and the device plugin instead of cloud resources", () => {
    expect(plan.cloudResources).toEqual([]);
    expect(plan.kubernetesObjects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      "karpenter.sh/v1 NodePool kgpu",
      "karpenter.k8s.aws/v1 EC2NodeClass kgpu",
      "apps/v1 DaemonSet nvidia-device-plugin-kgpu",
    ]);
  });

  it("launches only the pool's instance types as spot, labelled and tainted, with a GPU limit", () => {
    const spec = byKind("NodePool").spec as {
      template: { metadata: { labels: unknown }; spec: { requirements: unknown[]; taints: unknown[] } };
      limits: unknown;
    };
    expect(spec.template.metadata.labels).toEqual({ "onnxfleet.dev/node-pool": "kgpu" });
    expect(spec.template.spec.requirements).toContainEqual({
      key: "node.kubernetes.io/instance-type",
      operator: "In",
      values: ["g6.xlarge", "g6.2xlarge"],
    });
    expect(spec.template.spec.requirements).toContainEqual({
      key: "karpenter.sh/capacity-type",
      operator: "In",
      values: ["spot"],
    });
    expect(spec.template.spec.taints).toEqual([
      { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" },
    ]);
    expect(spec.limits).toEqual({ "nvidia.com/gpu": "5" });
  });

  it("pins the AMI alias, requires IMDSv2 and finds subnets by the discovery tag when none are given", () => {
    expect(byKind("EC2NodeClass").spec).toMatchObject({
      role: "KarpenterNodeRole-prod-use1",
      amiSelectorTerms: [{ alias: "al2023@v20250920" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "prod-use1" } }],
      securityGroupSelectorTerms: [{ tags: { "aws:eks:cluster-name": "prod-use1" } }],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    });
  });

  it("selects given subnets by id, unresolved ones included", () => {
    const withSubnets = planGpuNodePool("kgpu", {
      ...props,
      subnetIds: ["subnet-0123456789abcdef0", cdktfToken],
    });
    expect(withSubnets.kubernetesObjects[1]!.spec).toMatchObject({
      subnetSelectorTerms: [{ id: "subnet-0123456789abcdef0" }, { id: cdktfToken }],
    });
  });

  it("keeps Bottlerocket's OS volume and sizes its data volume", () => {
    const br = planGpuNodePool("kbr", { ...props, amiType: "BOTTLEROCKET_x86_64_NVIDIA", diskSizeGiB: 60 });
    expect(br.kubernetesObjects.map((o) => o.kind)).toEqual(["NodePool", "EC2NodeClass"]);
    expect(br.kubernetesObjects[1]!.spec).toMatchObject({
      amiSelectorTerms: [{ alias: "bottlerocket@v20250920" }],
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: "4Gi" } },
        { deviceName: "/dev/xvdb", ebs: { volumeSize: "60Gi" } },
      ],
    });
  });
});

describe("GpuNodePool values unknown at synth time", () => {
  it("passes Pulumi Outputs and CDKTF tokens through untouched", () => {
    const clusterName = pulumiOutput;
    const subnetIds = Promise.resolve(["subnet-1"]);
    const plan = planGpuNodePool("gpu", { ...base, clusterName, subnetIds });
    const group = resource(plan, "aws:eks:NodeGroup");
    expect(group.properties.clusterName).toBe(clusterName);
    expect(group.properties.subnetIds).toBe(subnetIds);
    const karpenter = planGpuNodePool("k", {
      ...base,
      subnetIds: undefined,
      clusterName: cdktfToken,
      nodes: { min: 0, max: 2 },
      mode: "karpenter",
      karpenter: { nodeRoleName: pulumiOutput },
    });
    expect(karpenter.kubernetesObjects[1]!.spec).toMatchObject({
      role: pulumiOutput,
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": cdktfToken } }],
    });
  });
});

describe("GpuNodePool validation", () => {
  it("reports every problem at once, naming the construct, the prop, the value and what is allowed", () => {
    let error: unknown;
    try {
      planGpuNodePool("GPU_pool", {
        ...base,
        instanceTypes: ["m5.large", "g9.xlarge", "g5.3xlarge"],
        nodes: { min: 5, max: 3 },
        diskSizeGiB: 10,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      [
        "6 problems:",
        'GpuNodePool "GPU_pool": name ("GPU_pool") must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit (did you mean "gpu-pool"?)',
        'GpuNodePool "GPU_pool": instanceTypes[0] ("m5.large") has no NVIDIA GPUs; choose a GPU instance type (catalogued GPU families: g4dn, g5, g6, g6e, p3, p3dn, p4d, p4de, p5, p5e, p5en)',
        'GpuNodePool "GPU_pool": instanceTypes[1] ("g9.xlarge") is not a GPU instance type known to onnxfleet (catalogued GPU families: g4dn, g5, g6, g6e, p3, p3dn, p4d, p4de, p5, p5e, p5en)',
        'GpuNodePool "GPU_pool": instanceTypes[2] ("g5.3xlarge") is not a g5 size; allowed: g5.xlarge, g5.2xlarge, g5.4xlarge, g5.8xlarge, g5.12xlarge, g5.16xlarge, g5.24xlarge, g5.48xlarge',
        'GpuNodePool "GPU_pool": nodes.min (5) must not exceed nodes.max (3)',
        'GpuNodePool "GPU_pool": diskSizeGiB (10) must be an integer from 20 to 16384',
      ].join("\n  "),
    );
  });

  it.each<[string, Partial<GpuNodePoolProps> | Record<string, unknown>, string]>([
    [
      "desired below min",
      { nodes: { min: 2, max: 4, desired: 1 } },
      "nodes.desired (1) must lie between nodes.min (2) and nodes.max (4)",
    ],
    [
      "desired above max",
      { nodes: { min: 0, max: 4, desired: 5 } },
      "nodes.desired (5) must lie between nodes.min (0) and nodes.max (4)",
    ],
    ["max zero", { nodes: { min: 0, max: 0 } }, "nodes.max (0) must be an integer from 1 to 1000"],
    [
      "applyDesired not a boolean",
      { nodes: { min: 1, max: 4, desired: 2, applyDesired: "yes" } },
      'nodes.applyDesired ("yes") must be true or false',
    ],
    [
      "applyDesired without desired",
      { nodes: { min: 1, max: 4, applyDesired: true } },
      "nodes.applyDesired (true) sends nodes.desired to EKS, which is not set",
    ],
    ["fractional min", { nodes: { min: 0.5, max: 2 } }, "nodes.min (0.5) must be an integer >= 0"],
    ["disk too big", { diskSizeGiB: 20_000 }, "diskSizeGiB (20000) must be an integer from 20 to 16384"],
    ["Inferentia", { instanceTypes: ["inf2.xlarge"] }, 'instanceTypes[0] ("inf2.xlarge") has no NVIDIA GPUs'],
    [
      "no instance types",
      { instanceTypes: [] },
      "instanceTypes ([]) must list at least one GPU instance type",
    ],
    [
      "duplicate",
      { instanceTypes: ["g5.xlarge", "g5.xlarge"] },
      'instanceTypes[1] ("g5.xlarge") is listed twice',
    ],
    ["capacity type", { capacityType: "spot" }, 'capacityType ("spot") must be one of "ON_DEMAND", "SPOT"'],
    [
      "AMI type",
      { amiType: "AL2_x86_64_GPU" },
      'amiType ("AL2_x86_64_GPU") must be one of "AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"',
    ],
    ["mode", { mode: "fargate" }, 'mode ("fargate") must be one of "managed", "karpenter"'],
    ["hop limit", { imdsHopLimit: 3 }, "imdsHopLimit (3) must be 1 or 2"],
    ["no subnets", { subnetIds: undefined }, "subnetIds is required in managed mode"],
    ["bad subnet", { subnetIds: ["sg-123"] }, 'subnetIds[0] ("sg-123") must be a subnet id'],
    [
      "cluster name",
      { clusterName: "prod cluster" },
      'clusterName ("prod cluster") must be an EKS cluster name',
    ],
    [
      "reserved label",
      { labels: { "node.kubernetes.io/gpu": "x" } },
      'labels["node.kubernetes.io/gpu"] uses a reserved namespace',
    ],
    ["label value", { labels: { team: "a b" } }, 'labels["team"] ("a b") must be a Kubernetes label value'],
    [
      "karpenter options in managed mode",
      { karpenter: { nodeRoleName: "r" } },
      'karpenter applies to mode "karpenter" only',
    ],
  ])("refuses %s", (_, override, expected) => {
    expect(problems({ ...base, ...override }).join("\n")).toContain(expected);
  });

  it("refuses names longer than 36 characters, which would not fit the derived names", () => {
    expect(problems(base, "a".repeat(37))).toEqual([
      `name ("${"a".repeat(37)}") is 37 characters long; at most 36 are allowed`,
    ]);
    expect(() => planGpuNodePool("a".repeat(36), base)).not.toThrow();
  });

  it("refuses a minimum, a desired count, a missing role and an unlistable subnet list in karpenter mode", () => {
    expect(
      problems({
        ...base,
        subnetIds: pulumiOutput,
        nodes: { min: 1, max: 3, desired: 1 },
        mode: "karpenter",
      }),
    ).toEqual([
      "subnetIds must be a list in karpenter mode (its elements may be unresolved), or omitted to select subnets by the karpenter.sh/discovery tag",
      "nodes.min (1) must be 0 in karpenter mode: Karpenter launches nodes for pending pods and keeps no minimum",
      "nodes.desired (1) applies to managed mode only; omit it in karpenter mode",
      "karpenter is required in karpenter mode: { nodeRoleName } at least",
    ]);
    expect(
      problems({
        ...base,
        nodes: { min: 0, max: 3, applyDesired: false },
        mode: "karpenter",
        karpenter: { nodeRoleName: "arn:aws:iam::123456789012:role/x", amiVersion: "2024" },
      }),
    ).toEqual([
      "nodes.applyDesired (false) applies to managed mode only; omit it in karpenter mode",
      'karpenter.nodeRoleName ("arn:aws:iam::123456789012:role/x") must be an IAM role name (1 to 64 of letters, digits and +=,.@_-), not an ARN',
      'karpenter.amiVersion ("2024") must be "latest" or a version such as "v20250920"',
    ]);
  });

  it("refuses unknown props, suggesting the intended one", () => {
    expect(
      problems({ ...base, diskSize: 200, nodes: { min: 1, max: 2, maximum: 3 }, instancetypes: [] }),
    ).toEqual([
      'diskSize is not a prop (did you mean "diskSizeGiB"?); allowed: clusterName, subnetIds, instanceTypes, nodes, capacityType, amiType, diskSizeGiB, labels, mode, nodeRoleArn, karpenter, imdsHopLimit, devicePluginImage, dcgmExporter',
      'instancetypes is not a prop (did you mean "instanceTypes"?); allowed: clusterName, subnetIds, instanceTypes, nodes, capacityType, amiType, diskSizeGiB, labels, mode, nodeRoleArn, karpenter, imdsHopLimit, devicePluginImage, dcgmExporter',
      'nodes.maximum is not a prop (did you mean "max"?); allowed: min, max, desired, applyDesired',
    ]);
  });

  it("refuses props that are not an object", () => {
    expect(problems(undefined)).toEqual(["props (undefined) must be an object"]);
  });
});
