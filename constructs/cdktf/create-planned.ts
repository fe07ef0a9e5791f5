/**
 * Creates a plan's resources as children of a construct: cloud resources in the planned order with their
 * references (`CloudResourceRef`) wired to the referenced resource's attribute token, then Kubernetes objects
 * as `kubernetes_manifest`s. Every child gets the construct's provider; the only additions are the ordering
 * and waiting a construct passes in (wiring between constructs, which one plan cannot express).
 */

import type { Manifest, ManifestTimeouts, ManifestWait } from "@cdktf/provider-kubernetes/lib/manifest";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn, type ITerraformDependable, TerraformResource, Token } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { kubernetesKey, ownedFieldsByObject } from "../../src/plan/planned-object-keys";
import {
  type CloudResourcePlan,
  type CloudResourceRef,
  type KubernetesIgnoreChanges,
  type KubernetesObject,
  replaceCloudRefs,
} from "../../src/plan/types";

export { kubernetesKey };

import { createCloudResource, terraformAttributePath } from "./cloud-resources";
import { createManifest } from "./kubernetes-manifests";
import type { CdktfProviders } from "./providers";

/** Every Terraform resource in `construct`'s subtree: what "after this construct" means in Terraform. */
export function resourcesOf(construct: IConstruct): TerraformResource[] {
  return construct.node.findAll().filter((child) => TerraformResource.isTerraformResource(child));
}

function tokenOf(
  created: ReadonlyMap<string, TerraformResource>,
  ref: CloudResourceRef,
  from: string,
): unknown {
  const target = created.get(ref.$ref);
  const value = target ? (target as unknown as Record<string, unknown>)[ref.attribute] : undefined;
  if (!Token.isUnresolved(value)) {
    throw new Error(
      `onnxfleet/cdktf: "${from}" references ${ref.$ref}.${ref.attribute}, which ` +
        `${target ? "has no such attribute" : "is not planned before it"}; this is a bug in onnxfleet, please report it`,
    );
  }
  if (ref.as === "string") return Token.asString(value);
  // The account id of an ARN, its fifth field (arn:partition:service:region:account:resource).
  if (ref.as === "arnAccountId") return Fn.element(Fn.split(":", Token.asString(value)), 4);
  return value;
}

/**
 * Creates `plans` in order as children of `scope`; `created` holds resources of earlier calls the plans may
 * reference (e.g. a ModelService's read policy, referenced by its Pod Identity role attachment).
 */
export function createCloudResources(
  scope: Construct,
  plans: readonly CloudResourcePlan[],
  providers: CdktfProviders | undefined,
  created: Map<string, TerraformResource> = new Map(),
): Map<string, TerraformResource> {
  for (const plan of plans) {
    const properties = replaceCloudRefs(plan.properties, (ref) => tokenOf(created, ref, plan.logicalName));
    const dependsOn = (plan.dependsOn ?? []).map((name) => {
      const dependency = created.get(name);
      if (!dependency)
        throw new Error(`onnxfleet/cdktf: "${plan.logicalName}" depends on unplanned "${name}"`);
      return dependency;
    });
    const resource = createCloudResource(scope, plan, properties as Record<string, unknown>, {
      ...(providers?.aws ? { provider: providers.aws } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      ...(plan.ignoreChanges?.length
        ? { lifecycle: { ignoreChanges: plan.ignoreChanges.map(terraformAttributePath) } }
        : {}),
    });
    created.set(plan.logicalName, resource);
  }
  return created;
}

/** Options of {@link createManifests}. */
export interface ManifestsOptions {
  /** The cluster's provider. */
  readonly kubernetes?: KubernetesProvider;
  /** Resources every object waits for (e.g. a service's pods wait for their node pool). */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** The plan's fields owned in the cluster after creation (e.g. a ModelService's `kubernetesIgnoreChanges`). */
  readonly ignoreChanges?: readonly KubernetesIgnoreChanges[];
  /** What apply waits for, per object. */
  readonly waitFor?: (object: KubernetesObject) => ManifestWait | undefined;
  /** How long apply waits, per object; none: the provider's default. */
  readonly timeoutsFor?: (object: KubernetesObject) => ManifestTimeouts | undefined;
}

/** Creates `objects` as `kubernetes_manifest`s under `scope`, by `kind/metadata.name`. */
export function createManifests(
  scope: Construct,
  objects: readonly KubernetesObject[],
  options: ManifestsOptions = {},
): Map<string, Manifest> {
  const owned = ownedFieldsByObject(objects, options.ignoreChanges ?? [], "onnxfleet/cdktf");
  const created = new Map<string, Manifest>();
  for (const object of objects) {
    const key = kubernetesKey(object.kind, object.metadata.name);
    const wait = options.waitFor?.(object);
    const timeouts = options.timeoutsFor?.(object);
    const manifest = createManifest(scope, object, {
      ...(options.kubernetes ? { provider: options.kubernetes } : {}),
      ...(options.dependsOn ? { dependsOn: options.dependsOn } : {}),
      computedFields: owned.get(key) ?? [],
      ...(wait ? { wait } : {}),
      ...(timeouts ? { timeouts } : {}),
    });
    created.set(key, manifest);
  }
  return created;
}
