/**
 * Stand-ins for constructs of a topology file that could not be planned (invalid props, or a dangling
 * reference), so `onnxfleet render` still validates every construct that depends on them and reports every
 * problem of the file at once. A stand-in asserts only what the file says about the missing construct; checks
 * that would need what it cannot know are skipped for its dependents (their own errors are still reported).
 * Nothing planned against a stand-in is ever rendered: the file has errors by then.
 */
import { findGpuInstanceType, GPU_INSTANCE_TYPES } from "./catalog/gpu-instance-types";
import { NODE_POOL_LABEL } from "./naming-gpu-pool-failover";

import { GPU_TAINT, NVIDIA_GPU_RESOURCE } from "./plan/gpu-node";
import { type ModelServicePlan, planModelService } from "./plan/model-service";
import type { NodePoolBinding } from "./plan/types";
import type { FailoverEndpoint } from "./specs/multi-region-failover";

/**
 * The binding of pool `name` as far as its props tell: its node selector and taint toleration, GPUs per node
 * of the catalogued instance types among `instanceTypes` (the catalog's largest count when none is
 * catalogued, so no GPU count is refused on a guess) and no node ceiling (the pool-fit check is skipped).
 */
export function standInBinding(name: string, instanceTypes: unknown): NodePoolBinding {
  const known = (Array.isArray(instanceTypes) ? instanceTypes : [])
    .map((type) => (typeof type === "string" ? findGpuInstanceType(type) : undefined))
    .filter((type) => type !== undefined);
  const types = known.length > 0 ? known : GPU_INSTANCE_TYPES;
  const gpuCounts = types.map((type) => type.gpuCount);
  return {
    poolName: name,
    nodeSelector: { [NODE_POOL_LABEL]: name },
    tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
    gpuResourceName: NVIDIA_GPU_RESOURCE,
    gpusPerNode: known.length > 0 ? Math.min(...gpuCounts) : Math.max(...gpuCounts),
    gpuMemoryGiB: Math.min(...types.map((type) => type.gpuMemoryGiB)),
  };
}

/**
 * A valid one-version ModelService in `namespace` (when the file gives it as a string), without GPUs, auth
 * opted out, for checking an endpoint whose own service could not be planned: its service-specific checks
 * (auth, disruption budget, canary weights, pool) are skipped.
 */
export function standInService(namespace: unknown): ModelServicePlan {
  const plan = (given: unknown) =>
    planModelService("stand-in", {
      ...(typeof given === "string" ? { namespace: given } : {}),
      model: { name: "stand-in", uri: "https://stand-in.invalid/model.onnx", sha256: "0".repeat(64) },
      auth: "none",
    });
  try {
    return plan(namespace);
  } catch {
    return plan(undefined); // an invalid namespace is the service's own problem, reported with it
  }
}

/** The failover endpoint of a region whose AutoscaledEndpoint could not be planned: a hostname, no capacity. */
export function standInFailoverEndpoint(endpoint: string, region: string): FailoverEndpoint {
  return { hostname: `${endpoint}.${region}.elb.invalid` };
}

/** Whether `plan` is one of the file's real plans (not planned against a stand-in). */
export type PlannedOrStandIn<T> = { readonly plan: T; readonly standIn: boolean };

/** The real endpoint plans of `checked`. */
export function realPlans<T>(checked: Readonly<Record<string, PlannedOrStandIn<T>>>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(checked)
      .filter(([, entry]) => !entry.standIn)
      .map(([name, entry]) => [name, entry.plan]),
  );
}
