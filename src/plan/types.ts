import type { Lazy } from "../lazy";

/**
 * A Kubernetes object exactly as the API server accepts it (plain JSON). Values the core cannot know
 * (Pulumi Outputs, CDKTF tokens) may appear where the user supplied them; the front-end resolves them.
 */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: Lazy<string>;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/**
 * A cloud resource the front-end creates, described without any framework: `type` names what to create
 * (e.g. `aws:eks:NodeGroup`), `logicalName` is the child name (a public contract: changing it replaces the
 * resource), `properties` are the provider inputs in the provider's camelCase naming.
 */
export interface CloudResourcePlan<P extends object = Record<string, unknown>> {
  readonly type: string;
  readonly logicalName: string;
  readonly properties: P;
}

/**
 * What a GPU node pool offers the workloads bound to it (planned by GpuNodePool, consumed by ModelService).
 */
export interface NodePoolBinding {
  /** The pool's construct name. */
  readonly poolName: string;
  /** Node labels a pod must select to land on the pool. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Tolerations for the pool's taints. */
  readonly tolerations: readonly {
    readonly key: string;
    readonly operator: "Equal" | "Exists";
    readonly value?: string;
    readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  }[];
  /** Extended resource name of the GPUs, e.g. `nvidia.com/gpu`; absent on a pool without GPUs. */
  readonly gpuResourceName?: string;
  /** GPUs per node of the smallest instance type in the pool (0 when the pool has no GPUs). */
  readonly gpusPerNode: number;
  /** GPU memory per GPU in GiB of the smallest instance type in the pool (0 without GPUs). */
  readonly gpuMemoryGiB: number;
}
