/**
 * #15 item 4: changing a managed node group's bounds. EKS keeps one scaling config and refuses an update whose
 * desired size lies outside [minSize, maxSize] (UpdateNodegroupConfig takes a NodegroupScalingConfig:
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupConfig.html,
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html; the error users meet is
 * "InvalidParameterException: Minimum capacity 3 can't be greater than desired size 2",
 * https://github.com/terraform-aws-modules/terraform-aws-eks/issues/3306). The pool ignores later changes of the
 * desired size (the cluster autoscaler owns it), so an update sends back the desired size from the state: with
 * a refresh (`pulumi up --refresh`; Terraform refreshes by default), the live one
 * (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/).
 *
 * The GpuNodePool runs under Pulumi's mocks; the request an engine sends and EKS's answer are modelled below
 * from those documents (no AWS is reachable here), so the test shows which bounds changes apply as planned.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { GpuNodePool } from "../../constructs/pulumi";
import { ValidationError } from "../../src/errors";
import type { GpuNodeCountProps } from "../../src/specs/gpu-node-pool";
import { recordResources } from "./harness";

const recording = recordResources();
beforeEach(() => recording.reset());

interface ScalingConfig {
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
}

/** EKS's rule for a node group's scaling config (the API reference above), with its error text. */
function updateNodegroupConfig(request: ScalingConfig): { ok: true } | { ok: false; error: string } {
  if (request.minSize > request.desiredSize)
    return {
      ok: false,
      error: `InvalidParameterException: Minimum capacity ${request.minSize} can't be greater than desired size ${request.desiredSize}`,
    };
  if (request.desiredSize > request.maxSize)
    return { ok: false, error: "InvalidParameterException: desiredSize can't be greater than maxSize" };
  return { ok: true };
}

/** The node group's scaling config and ignored paths as the pool plans them for `nodes`. */
async function plannedNodeGroup(nodes: GpuNodeCountProps) {
  recording.reset();
  new GpuNodePool("gpu", {
    clusterName: "prod-use1",
    subnetIds: ["subnet-0a1b2c3d4e5f60718"],
    instanceTypes: ["g5.xlarge"],
    nodes,
  });
  await recording.settle();
  const group = recording.get("aws:eks/nodeGroup:NodeGroup", "gpu-node-group");
  return { scaling: group.inputs.scalingConfig as ScalingConfig, ignoreChanges: group.ignoreChanges };
}

/** What an update sends after a refresh: an ignored desired size is the live one. */
function request(planned: { scaling: ScalingConfig; ignoreChanges: string[] }, liveDesired: number) {
  const ignored = planned.ignoreChanges.includes("scalingConfig.desiredSize");
  return { ...planned.scaling, desiredSize: ignored ? liveDesired : planned.scaling.desiredSize };
}

describe("GpuNodePool bounds change (managed node group, autoscaler at 2 nodes of [1, 8])", () => {
  const live = 2;

  it("creates with desired = min and leaves the count to the cluster autoscaler afterwards", async () => {
    const created = await plannedNodeGroup({ min: 1, max: 8 });
    expect(created.scaling).toEqual({ minSize: 1, maxSize: 8, desiredSize: 1 });
    expect(created.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
  });

  it("applies bounds that still hold the live size (max 8 -> 12, min 1 -> 2): the live count is kept", async () => {
    for (const nodes of [
      { min: 1, max: 12 },
      { min: 2, max: 8 },
    ]) {
      const sent = request(await plannedNodeGroup(nodes), live);
      expect(sent.desiredSize).toBe(live);
      expect(updateNodegroupConfig(sent)).toEqual({ ok: true });
    }
  });

  it("cannot apply min 1 -> 3 by bounds alone: EKS refuses the live desired size 2 below the new minimum", async () => {
    const sent = request(await plannedNodeGroup({ min: 3, max: 8 }), live);
    expect(updateNodegroupConfig(sent)).toEqual({
      ok: false,
      error: "InvalidParameterException: Minimum capacity 3 can't be greater than desired size 2",
    });
  });

  it("applies min 1 -> 3 with desired 3 and applyDesired: one update carries bounds and a desired size inside them", async () => {
    const planned = await plannedNodeGroup({ min: 3, max: 8, desired: 3, applyDesired: true });
    expect(planned.ignoreChanges).toEqual([]);
    const sent = request(planned, live);
    expect(sent).toEqual({ minSize: 3, maxSize: 8, desiredSize: 3 });
    expect(updateNodegroupConfig(sent)).toEqual({ ok: true });
    // The next apply without applyDesired hands the count back to the autoscaler; nothing is re-sent.
    const after = await plannedNodeGroup({ min: 3, max: 8 });
    expect(after.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
    expect(after.scaling).toMatchObject({ minSize: 3, maxSize: 8 });
  });

  it("applies max 8 -> 1 below the live size only with desired 1 and applyDesired", async () => {
    expect(updateNodegroupConfig(request(await plannedNodeGroup({ min: 1, max: 1 }), live)).ok).toBe(false);
    const sent = request(await plannedNodeGroup({ min: 1, max: 1, desired: 1, applyDesired: true }), live);
    expect(updateNodegroupConfig(sent)).toEqual({ ok: true });
  });

  it("refuses applyDesired without an explicit desired size (the default, min, could scale a busy group in)", () => {
    const pool = () =>
      new GpuNodePool("gpu", {
        clusterName: "prod-use1",
        subnetIds: ["subnet-0a1b2c3d4e5f60718"],
        instanceTypes: ["g5.xlarge"],
        nodes: { min: 3, max: 8, applyDesired: true },
      });
    expect(pool).toThrow(
      expect.objectContaining({
        errors: [expect.objectContaining({ propertyPath: "nodes.applyDesired" })],
        cause: expect.any(ValidationError),
        message: expect.stringMatching(
          /nodes.applyDesired \(true\) sends nodes.desired to EKS, which is not set/,
        ),
      }),
    );
  });
});
