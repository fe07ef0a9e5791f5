/**
 * Keys of planned Kubernetes objects and the fields each front-end leaves to the cluster, grouped by object:
 * the bookkeeping both front-ends do the same way when they create a plan's objects.
 */
import type { KubernetesIgnoreChanges, KubernetesObject } from "./types";

/** Key of a planned Kubernetes object: `kind/metadata.name`. */
export function kubernetesKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/**
 * The fields owned in the cluster after creation, by object key; an entry naming no planned object is a bug
 * in onnxfleet (`frontEnd` names the front-end in the error).
 */
export function ownedFieldsByObject(
  objects: readonly KubernetesObject[],
  entries: readonly KubernetesIgnoreChanges[],
  frontEnd: string,
): Map<string, string[]> {
  const planned = new Set(objects.map((object) => kubernetesKey(object.kind, object.metadata.name)));
  const byObject = new Map<string, string[]>();
  for (const { object, fields } of entries) {
    const key = kubernetesKey(object.kind, object.name);
    if (!planned.has(key))
      throw new Error(`${frontEnd}: ignored fields name unplanned ${key}; this is a bug in onnxfleet`);
    byObject.set(key, [...(byObject.get(key) ?? []), ...fields]);
  }
  return byObject;
}
