/**
 * Creates a plan's resources as children of a component: cloud resources in the planned order with their
 * references (`CloudResourceRef`) wired to the referenced resource's output, then Kubernetes objects. Names,
 * properties, cloud dependencies and ignored paths come from the plan; the only addition is the ordering a
 * component passes in `KubernetesObjectOptions` (wiring between components, which one plan cannot express).
 */
import * as pulumi from "@pulumi/pulumi";
import { kubernetesKey, ownedFieldsByObject } from "../../src/plan/planned-object-keys";
import {
  type CloudResourcePlan,
  type CloudResourceRef,
  convertCloudRefValue,
  type KubernetesCloudDependency,
  type KubernetesIgnoreChanges,
  type KubernetesObject,
  replaceCloudRefs,
} from "../../src/plan/types";

export { kubernetesKey };

import { createCloudResource } from "./cloud-resources";
import { createKubernetesObject } from "./kubernetes-objects";

/** The cloud resources created from a plan, by `logicalName`. */
export type CreatedCloudResources = ReadonlyMap<string, pulumi.CustomResource>;

function outputOf(
  created: CreatedCloudResources,
  ref: CloudResourceRef,
  from: string,
): pulumi.Output<unknown> {
  const target = created.get(ref.$ref);
  const value = target ? (target as unknown as Record<string, unknown>)[ref.attribute] : undefined;
  if (!pulumi.Output.isInstance(value)) {
    throw new Error(
      `onnxfleet/pulumi: "${from}" references ${ref.$ref}.${ref.attribute}, which ` +
        `${target ? "has no such output" : "is not planned before it"}; this is a bug in onnxfleet, please report it`,
    );
  }
  return ref.as === undefined ? value : value.apply((resolved) => convertCloudRefValue(ref, resolved));
}

/**
 * Creates `plans` in order as children of `parent`; `created` holds resources from earlier calls that the
 * plans may reference (e.g. a ModelService's read policy, referenced by its Pod Identity role attachment).
 */
export function createCloudResources(
  parent: pulumi.Resource,
  plans: readonly CloudResourcePlan[],
  created: Map<string, pulumi.CustomResource> = new Map(),
): Map<string, pulumi.CustomResource> {
  for (const plan of plans) {
    const properties = replaceCloudRefs(plan.properties, (ref) => outputOf(created, ref, plan.logicalName));
    const dependsOn = (plan.dependsOn ?? []).map((name) => {
      const dependency = created.get(name);
      if (!dependency)
        throw new Error(`onnxfleet/pulumi: "${plan.logicalName}" depends on unplanned "${name}"`);
      return dependency;
    });
    const resource = createCloudResource(plan, properties as Record<string, unknown>, {
      parent,
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      ...(plan.ignoreChanges?.length ? { ignoreChanges: [...plan.ignoreChanges] } : {}),
    });
    created.set(plan.logicalName, resource);
  }
  return created;
}

/** Options of {@link createKubernetesObjects}. */
export interface KubernetesObjectOptions {
  /** Resources that must exist first (e.g. a service's pods wait for their node pool). */
  readonly dependsOn?: readonly pulumi.Resource[];
  /** The plan's fields to leave alone after creation (e.g. a ModelService's `kubernetesIgnoreChanges`). */
  readonly ignoreChanges?: readonly KubernetesIgnoreChanges[];
  /** How long to wait for an object to become ready, per object (e.g. a Deployment's rollout); none: Pulumi's default. */
  readonly customTimeouts?: (object: KubernetesObject) => pulumi.CustomTimeouts | undefined;
  /** The plan's objects that wait for cloud resources, and those resources as created. */
  readonly cloudDependencies?: {
    readonly planned: readonly KubernetesCloudDependency[];
    readonly created: CreatedCloudResources;
  };
}

/** The created cloud resources each object waits for, by object key; a name not created is a bug. */
function cloudDependenciesByObject(
  objects: readonly KubernetesObject[],
  dependencies: KubernetesObjectOptions["cloudDependencies"],
): Map<string, pulumi.Resource[]> {
  const byObject = new Map<string, pulumi.Resource[]>();
  const planned = new Set(objects.map((object) => kubernetesKey(object.kind, object.metadata.name)));
  for (const { object, cloudResources } of dependencies?.planned ?? []) {
    const key = kubernetesKey(object.kind, object.name);
    if (!planned.has(key))
      throw new Error(
        `onnxfleet/pulumi: a cloud dependency names unplanned ${key}; this is a bug in onnxfleet`,
      );
    const resources = cloudResources.map((name) => {
      const resource = dependencies?.created.get(name);
      if (!resource) throw new Error(`onnxfleet/pulumi: ${key} waits for uncreated "${name}"; this is a bug`);
      return resource;
    });
    byObject.set(key, [...(byObject.get(key) ?? []), ...resources]);
  }
  return byObject;
}

/** Creates `objects` as children of `parent`, each named by its `metadata.name` (the core's naming rules). */
export function createKubernetesObjects(
  parent: pulumi.Resource,
  objects: readonly KubernetesObject[],
  options: KubernetesObjectOptions = {},
): Map<string, pulumi.CustomResource> {
  const created = new Map<string, pulumi.CustomResource>();
  const dependsOn = options.dependsOn ?? [];
  const ignored = ownedFieldsByObject(objects, options.ignoreChanges ?? [], "onnxfleet/pulumi");
  const waits = cloudDependenciesByObject(objects, options.cloudDependencies);
  for (const object of objects) {
    const key = kubernetesKey(object.kind, object.metadata.name);
    const ignoreChanges = ignored.get(key) ?? [];
    const waitsFor = [...dependsOn, ...(waits.get(key) ?? [])];
    const customTimeouts = options.customTimeouts?.(object);
    const resource = createKubernetesObject(object.metadata.name, object, {
      parent,
      ...(customTimeouts ? { customTimeouts } : {}),
      ...(waitsFor.length > 0 ? { dependsOn: waitsFor } : {}),
      ...(ignoreChanges.length > 0 ? { ignoreChanges: [...ignoreChanges] } : {}),
    });
    created.set(kubernetesKey(object.kind, object.metadata.name), resource);
  }
  return created;
}
