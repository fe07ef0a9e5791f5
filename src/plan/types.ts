import { isUnresolved, type Lazy } from "../lazy";

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

/** A planned Kubernetes object of the same plan, by `kind` and `metadata.name`. */
export interface KubernetesObjectRef {
  readonly kind: string;
  readonly name: string;
}

/**
 * Fields of a planned Kubernetes object that the deployment engine sets at creation but must never overwrite
 * afterwards, because something in the cluster owns them at run time (e.g. `spec.replicas` of a Deployment
 * that an autoscaler scales). Kept beside the objects, never inside them, so every object stays exactly what
 * the API server accepts. Front-ends map it onto their own mechanism (Pulumi `ignoreChanges`, CDKTF
 * `lifecycle.ignoreChanges`).
 */
export interface KubernetesIgnoreChanges {
  /** The planned object. */
  readonly object: KubernetesObjectRef;
  /** Dotted field paths of the object, e.g. `spec.replicas`. */
  readonly fields: readonly string[];
  /** Who owns the fields after creation, and why (for documentation and diagnostics). */
  readonly reason: string;
}

/**
 * A planned Kubernetes object that must not be applied before some cloud resources of the same plan exist,
 * beyond any reference between them: e.g. a Deployment's pods get EKS Pod Identity credentials only if the
 * association exists when they are admitted. Front-ends map it onto their ordering (Pulumi `dependsOn`, CDKTF
 * `dependsOn`); `onnxfleet render`, which creates no cloud resource, lists it in its header.
 */
export interface KubernetesCloudDependency {
  /** The planned object that waits. */
  readonly object: KubernetesObjectRef;
  /** `logicalName`s of the cloud resources it waits for. */
  readonly cloudResources: readonly string[];
  /** Why it waits (for documentation and diagnostics). */
  readonly reason: string;
}

/**
 * Labels a plan needs on a namespace it does not own (the namespace must exist; its owner is the user or
 * another tool). Front-ends add exactly these labels and nothing else, and take them away on deletion
 * (Pulumi `NamespacePatch`, CDKTF `kubernetes_labels`); `onnxfleet render` lists them as a requirement
 * instead of printing a Namespace, which would hand the namespace's lifecycle to the GitOps tool.
 */
export interface NamespaceLabelsPlan {
  /** Child name (a public contract). */
  readonly logicalName: string;
  /** The namespace to label (possibly unresolved). */
  readonly namespace: Lazy<string>;
  readonly labels: Readonly<Record<string, string>>;
  /** Why (for documentation and diagnostics). */
  readonly reason: string;
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
  /**
   * Property paths (dotted, provider camelCase) the front-end must not reconcile after creation because
   * something else owns them at run time, e.g. `scalingConfig.desiredSize` of a node group that the
   * cluster autoscaler resizes.
   * @default - none
   */
  readonly ignoreChanges?: readonly string[];
  /**
   * Logical names of resources of the same plan that must exist before this one, beyond those it
   * references (e.g. a node group waits for its role's policy attachments, or its nodes cannot join).
   * @default - none
   */
  readonly dependsOn?: readonly string[];
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
  /**
   * The pool's EC2 instance types (capacity: a profile must come from one of them).
   * @default - unknown: a capacity profile must be declared representative
   */
  readonly instanceTypes?: readonly string[];
  /**
   * The pool's `nodes.max` (capacity: the most replicas the pool holds).
   * @default - unknown: no node ceiling is checked
   */
  readonly maxNodes?: number;
}

/**
 * A reference from one planned cloud resource (or Kubernetes object) to an attribute of another planned
 * cloud resource of the same plan, e.g. the node group's `nodeRoleArn` is `{ $ref: "gpu-node-role",
 * attribute: "arn" }`. Front-ends replace it with the created resource's output of that name (the
 * provider's camelCase attribute), converted as `as` says: a launch template's numeric `latestVersion` is
 * referenced with `as: "string"` where a node group's `launchTemplate.version` takes a string.
 */
export interface CloudResourceRef {
  /** `logicalName` of the referenced {@link CloudResourcePlan} in the same plan. */
  readonly $ref: string;
  /** Output attribute of the referenced resource, in the provider's camelCase: `arn`, `id`, `name`, ... */
  readonly attribute: string;
  /**
   * Type the referring property expects, when it differs from the attribute's: `"string"` asks the
   * front-end to convert the value with `String(value)` (e.g. a number output into a string input).
   * @default - the attribute's value as it is
   */
  readonly as?: CloudResourceRefConversion;
}

/**
 * Conversions a {@link CloudResourceRef} may ask for: `"string"` is `String(value)`; `"arnAccountId"` takes
 * the account id out of an ARN (`arn:partition:service:region:<account>:resource`, the fifth field).
 */
export type CloudResourceRefConversion = "string" | "arnAccountId";

/** Options of {@link cloudRef}. */
export interface CloudRefOptions {
  /**
   * Type the referring property expects (see {@link CloudResourceRef.as}).
   * @default - the attribute's value as it is
   */
  readonly as?: CloudResourceRefConversion;
}

/** Builds a {@link CloudResourceRef}. */
export function cloudRef(
  logicalName: string,
  attribute: string,
  options: CloudRefOptions = {},
): CloudResourceRef {
  return { $ref: logicalName, attribute, ...(options.as !== undefined ? { as: options.as } : {}) };
}

/** Applies the conversion `ref` asks for to a resolved attribute value. */
export function convertCloudRefValue(ref: CloudResourceRef, value: unknown): unknown {
  if (ref.as === "string") return String(value);
  if (ref.as === "arnAccountId") return String(value).split(":")[4];
  return value;
}

/** True for a {@link CloudResourceRef}. */
export function isCloudResourceRef(value: unknown): value is CloudResourceRef {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.$ref === "string" && typeof candidate.attribute === "string";
}

/**
 * Rebuilds `value` with every {@link CloudResourceRef} inside it (at any depth) replaced by
 * `resolve(ref)`. Unresolved values (Pulumi Outputs, CDKTF tokens) and other non-plain objects are kept
 * as they are, never inspected. Front-ends use it to wire references between planned resources.
 */
export function replaceCloudRefs(value: unknown, resolve: (ref: CloudResourceRef) => unknown): unknown {
  return replaceMarkers(value, isCloudResourceRef, resolve);
}

/** Rebuilds plain objects and arrays, replacing every value `is` matches; other objects are kept as they are. */
function replaceMarkers<M>(
  value: unknown,
  is: (v: unknown) => v is M,
  resolve: (marker: M) => unknown,
): unknown {
  if (is(value)) return resolve(value);
  if (Array.isArray(value)) return value.map((item) => replaceMarkers(item, is, resolve));
  if (value === null || typeof value !== "object" || isUnresolved(value)) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      replaceMarkers(item, is, resolve),
    ]),
  );
}

/**
 * A value the core must never hold: the secret a user gave the front-end (e.g. the bearer token of
 * `auth: { tokenSecret: { value } }`). The plan carries this reference where the value belongs; only the
 * front-end fills it, as a secret of its engine (a Pulumi secret Output, a sensitive Terraform value), so
 * no plan, rendered file or log ever holds the value.
 */
export interface SensitiveRef {
  /** Prop path of the secret value, e.g. `auth.tokenSecret.value`. */
  readonly $sensitive: string;
}

/** True for a {@link SensitiveRef}. */
export function isSensitiveRef(value: unknown): value is SensitiveRef {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Record<string, unknown>).$sensitive === "string"
  );
}

/** Rebuilds `value` with every {@link SensitiveRef} (at any depth) replaced by `resolve(ref)`. */
export function replaceSensitiveRefs(value: unknown, resolve: (ref: SensitiveRef) => unknown): unknown {
  return replaceMarkers(value, isSensitiveRef, resolve);
}
