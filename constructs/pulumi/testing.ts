/**
 * `onnxfleet/pulumi/testing`: Pulumi mocks for unit tests of programs that use the onnxfleet components.
 *
 * Under `pulumi.runtime.setMocks`, no cloud and no cluster answer, so outputs that a provider or a
 * controller computes stay unset. These mocks fill in what they would, so that the components' outputs
 * resolve: an `arn` on every AWS resource, a name on IAM roles and EKS node groups, a launch template's
 * version, and the NLB hostname the AWS Load Balancer Controller writes into a LoadBalancer Service's
 * `status.loadBalancer.ingress[0].hostname`.
 *
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { onnxfleetMocks } from "onnxfleet/pulumi/testing";
 *
 * pulumi.runtime.setMocks(onnxfleetMocks(), "my-project", "test", false);
 * const program = await import("./index"); // after setMocks
 * ```
 */
import type * as pulumi from "@pulumi/pulumi";

/** Your own hooks: what they return is merged over what the mocks fabricate. */
export interface OnnxfleetMocksOptions {
  /**
   * Called for every resource after the mocks have fabricated its state; returns extra state (or a
   * different id) to merge over it.
   * @default none
   */
  readonly newResource?: (
    args: pulumi.runtime.MockResourceArgs,
  ) => { id?: string; state?: Record<string, unknown> } | undefined;
  /**
   * Called for every data-source invoke; its result is merged over what the mocks fabricate.
   * @default none
   */
  readonly call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;
  /**
   * The DNS suffix of fabricated NLB hostnames (`<service-name>.<suffix>`).
   * @default "elb.mock.amazonaws.com"
   */
  readonly loadBalancerDomain?: string;
}

/** The account id in every fabricated ARN (its fifth field), e.g. read back by a Pod Identity trust policy. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** The state a provider or a controller would compute for a resource, given its inputs. */
export function mockResourceState(
  args: pulumi.runtime.MockResourceArgs,
  loadBalancerDomain = "elb.mock.amazonaws.com",
): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  const state: Record<string, unknown> = { ...inputs };
  if (args.type.startsWith("aws:"))
    state.arn = `arn:aws:mock::${MOCK_ACCOUNT_ID}:${args.type.split(":").pop()}/${args.name}`;
  if (args.type === "aws:eks/nodeGroup:NodeGroup")
    state.nodeGroupName = inputs.nodeGroupName ?? `${args.name}-mockid`;
  if (args.type === "aws:iam/role:Role") state.name = inputs.name ?? `${args.name}-mockid`;
  if (args.type === "aws:ec2/launchTemplate:LaunchTemplate") state.latestVersion = 1;
  if (args.type === "kubernetes:core/v1:Service") {
    const spec = inputs.spec as { type?: string } | undefined;
    if (spec?.type === "LoadBalancer") {
      state.status = { loadBalancer: { ingress: [{ hostname: `${args.name}.${loadBalancerDomain}` }] } };
    }
  }
  return state;
}

/** The result a data source would return (an EKS cluster lookup), given its arguments. */
export function mockCallResult(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  if (args.token === "aws:eks/getCluster:getCluster") {
    return {
      name: inputs.name,
      endpoint: `https://${String(inputs.name)}.eks.mock.amazonaws.com`,
      certificateAuthorities: [{ data: "bW9jay1jYQ==" }],
    };
  }
  return {};
}

/** Pulumi mocks (`pulumi.runtime.setMocks(onnxfleetMocks(), ...)`) that fill in what the cloud would. */
export function onnxfleetMocks(options: OnnxfleetMocksOptions = {}): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const state = mockResourceState(args, options.loadBalancerDomain);
      const own = options.newResource?.(args);
      return { id: own?.id ?? `${args.name}-id`, state: { ...state, ...own?.state } };
    },
    call(args) {
      return { ...mockCallResult(args), ...options.call?.(args) };
    },
  };
}
