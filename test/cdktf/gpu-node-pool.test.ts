import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { GpuNodePool } from "../../constructs/cdktf";
import { ValidationError } from "../../src/errors";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import {
  danglingReferences,
  interpolation,
  manifests,
  references,
  regionProviders,
  resourcesOfType,
  synthStack,
} from "./support";

const props = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
  instanceTypes: ["g5.xlarge", "g6.xlarge"],
  nodes: { min: 1, max: 8 },
};

describe("CDKTF GpuNodePool, managed mode", () => {
  let pool: GpuNodePool | undefined;
  const { json, config } = synthStack((stack) => {
    pool = new GpuNodePool(stack, "gpu-us-east-1", {
      ...props,
      providers: regionProviders(stack, "us-east-1"),
    });
  });

  it("GIVEN the defaults THEN the node group runs the NVIDIA AL2023 AMI with the GPU taint (Terraform's `taint` blocks)", () => {
    expect(
      Testing.toHaveResourceWithProperties(json, EksNodeGroup.tfResourceType, {
        cluster_name: "prod-use1",
        ami_type: "AL2023_x86_64_NVIDIA",
        instance_types: ["g5.xlarge", "g6.xlarge"],
        subnet_ids: props.subnetIds,
        scaling_config: { min_size: 1, max_size: 8, desired_size: 1 },
        taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
        labels: { "onnxfleet.dev/node-pool": "gpu-us-east-1" },
        provider: "aws.us-east-1",
      }),
    ).toBe(true);
  });

  it("leaves the desired size to the cluster autoscaler (ignore_changes in Terraform's attribute path)", () => {
    const [nodeGroup] = Object.values(resourcesOfType(config, "aws_eks_node_group"));
    expect(nodeGroup?.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
  });

  // #15 item 4: EKS refuses bounds that exclude the current desired size
  // (https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html); the apply that
  // changes them sends a desired size inside them (docs/operations.md, "Changing a node pool's bounds").
  it("sends the desired size with new bounds for one apply with nodes.applyDesired (no ignore_changes)", () => {
    const { config: applied } = synthStack((stack) => {
      new GpuNodePool(stack, "gpu", { ...props, nodes: { min: 3, max: 8, desired: 3, applyDesired: true } });
    });
    const [nodeGroup] = Object.values(resourcesOfType(applied, "aws_eks_node_group"));
    expect(nodeGroup?.scaling_config).toEqual({ min_size: 3, max_size: 8, desired_size: 3 });
    expect(nodeGroup?.lifecycle).toBeUndefined();
  });

  it("wires the launch template and node role into the node group, after the role's policies are attached", () => {
    const [nodeGroup] = Object.values(resourcesOfType(config, "aws_eks_node_group"));
    const template = Object.keys(resourcesOfType(config, LaunchTemplate.tfResourceType))[0];
    const role = Object.keys(resourcesOfType(config, "aws_iam_role"))[0];
    expect(nodeGroup?.launch_template).toEqual({
      id: `\${aws_launch_template.${template}.id}`,
      version: `\${aws_launch_template.${template}.latest_version}`,
    });
    expect(nodeGroup?.node_role_arn).toBe(`\${aws_iam_role.${role}.arn}`);
    const attachments = Object.keys(resourcesOfType(config, IamRolePolicyAttachment.tfResourceType));
    expect(attachments).toHaveLength(3);
    expect([...((nodeGroup?.depends_on ?? []) as string[])].sort()).toEqual(
      attachments.map((name) => `aws_iam_role_policy_attachment.${name}`).sort(),
    );
    expect(
      Testing.toHaveResourceWithProperties(json, LaunchTemplate.tfResourceType, {
        metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 },
      }),
    ).toBe(true);
  });

  it("sets the region's providers on every child, and every reference resolves", () => {
    for (const [type, byName] of Object.entries(config.resource ?? {})) {
      const expected = type === Manifest.tfResourceType ? "kubernetes.us-east-1" : "aws.us-east-1";
      for (const resource of Object.values(byName)) expect(resource.provider, type).toBe(expected);
    }
    expect(references(config).length).toBeGreaterThan(5);
    expect(danglingReferences(config)).toEqual([]);
  });

  it("holds the planned NVIDIA device plugin DaemonSet unchanged in a kubernetes_manifest", () => {
    const plan = planGpuNodePool("gpu-us-east-1", props);
    expect(manifests(config)).toEqual(JSON.parse(JSON.stringify(plan.kubernetesObjects)));
  });

  it("exposes the core's plan, binding, node group name and role ARN", () => {
    expect(pool?.plan.spec.name).toBe("gpu-us-east-1");
    expect(pool?.binding.nodeSelector).toEqual({ "onnxfleet.dev/node-pool": "gpu-us-east-1" });
    expect(pool?.nodeGroupName).toMatch(/TfToken/);
    expect(pool?.nodeRoleArn).toMatch(/TfToken/);
  });
});

describe("CDKTF GpuNodePool, Karpenter mode", () => {
  it("creates the Karpenter NodePool and EC2NodeClass as manifests, and no AWS resource", () => {
    const karpenter = {
      ...props,
      nodes: { min: 0, max: 8 },
      mode: "karpenter" as const,
      karpenter: { nodeRoleName: "KarpenterNodeRole-prod" },
    };
    const { config } = synthStack((stack) => {
      new GpuNodePool(stack, "gpu", karpenter);
    });
    expect(Object.keys(config.resource ?? {})).toEqual([Manifest.tfResourceType]);
    expect(
      manifests(config)
        .map((o) => o.kind)
        .sort(),
    ).toEqual(["DaemonSet", "EC2NodeClass", "NodePool"]);
  });
});

describe("CDKTF GpuNodePool, tokens and invalid props", () => {
  it("passes Terraform tokens (a cluster name, a subnet list) through validation into the node group", () => {
    const { config } = synthStack((stack) => {
      const cluster = new TerraformVariable(stack, "cluster", { type: "string" });
      const subnets = new TerraformVariable(stack, "subnets", { type: "list(string)" });
      const size = new TerraformVariable(stack, "disk", { type: "number" });
      new GpuNodePool(stack, "gpu", {
        ...props,
        clusterName: cluster.stringValue,
        subnetIds: subnets.listValue,
        nodeRoleArn: new TerraformVariable(stack, "role", { type: "string" }).stringValue,
        diskSizeGiB: size.numberValue,
      });
    });
    const [nodeGroup] = Object.values(resourcesOfType(config, "aws_eks_node_group"));
    expect(nodeGroup?.cluster_name).toBe(interpolation("var.cluster"));
    expect(nodeGroup?.subnet_ids).toBe(interpolation("var.subnets"));
    expect(nodeGroup?.node_role_arn).toBe(interpolation("var.role"));
    expect(resourcesOfType(config, "aws_iam_role")).toEqual({});
    expect(danglingReferences(config)).toEqual([]);
  });

  it("throws the core's ValidationError listing every problem, before any child is created", () => {
    const { stack, error } = (() => {
      let caught: unknown;
      const app = Testing.app();
      const stack = new TerraformStack(app, "bad");
      try {
        new GpuNodePool(stack, "gpu", { ...props, subnetIds: ["nope"], nodes: { min: 5, max: 2 } });
      } catch (error) {
        caught = error;
      }
      return { stack, error: caught };
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(["subnetIds[0]", "nodes.min"]));
    expect((error as ValidationError).message).toContain('GpuNodePool "gpu"');
    expect(stack.node.children).toEqual([]);
  });
});
