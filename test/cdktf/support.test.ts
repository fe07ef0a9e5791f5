import { describe, expect, it } from "vitest";
import { danglingReferences, interpolation, references } from "./support";

describe("the reference walk over synthesized Terraform JSON", () => {
  const config = {
    provider: { aws: [{ alias: "east" }] },
    variable: { cluster: {} },
    resource: {
      aws_iam_role: { role: { name_prefix: "x-" } },
      aws_eks_node_group: {
        group: {
          node_role_arn: interpolation("aws_iam_role.role.arn"),
          cluster_name: interpolation("var.cluster"),
          subnet_ids: [interpolation("aws_subnet.missing.id")],
          labels: { literal: ["$$", "{not.a_reference.x}"].join("") },
          depends_on: ["aws_iam_role.role", "aws_iam_role.gone"],
          provider: "aws.west",
        },
      },
    },
  };

  it("finds references in expressions, depends_on and provider, and reports the dangling ones", () => {
    expect(references(config).map((r) => r.address)).toEqual([
      "aws_iam_role.role",
      "var.cluster",
      "aws_subnet.missing",
      "aws_iam_role.role",
      "aws_iam_role.gone",
      "aws.west",
    ]);
    expect(danglingReferences(config)).toEqual([
      "aws_eks_node_group.group: aws_subnet.missing",
      "aws_eks_node_group.group: aws_iam_role.gone",
      "aws_eks_node_group.group: aws.west",
    ]);
  });
});
