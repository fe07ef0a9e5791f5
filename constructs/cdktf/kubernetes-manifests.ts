/**
 * Maps the core's planned Kubernetes objects onto `kubernetes_manifest` resources (`Manifest` from
 * `@cdktf/provider-kubernetes`), each holding its object unchanged, so core kinds and custom resources go one
 * way and both front-ends apply the same objects. What Terraform adds is its own: waiting, and the fields it
 * must let the API server or a controller own (`computed_fields`).
 * https://github.com/hashicorp/terraform-provider-kubernetes/blob/main/docs/resources/manifest.md
 */
import { Manifest, type ManifestTimeouts, type ManifestWait } from "@cdktf/provider-kubernetes/lib/manifest";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { isUnresolved } from "../../src/lazy";
import type { KubernetesObject } from "../../src/plan/types";

/** `computed_fields` the provider uses when none are given; giving any replaces them, so they are kept. */
export const DEFAULT_COMPUTED_FIELDS = ["metadata.annotations", "metadata.labels"] as const;

/** Options of {@link createManifest}. */
export interface ManifestOptions {
  /** The cluster's provider. */
  readonly provider?: KubernetesProvider;
  /** Resources that must exist first. */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Fields of the object that Kubernetes or a controller owns after creation (dotted paths). */
  readonly computedFields?: readonly string[];
  /** What `terraform apply` waits for once the object is applied. */
  readonly wait?: ManifestWait;
  /** How long `terraform apply` waits for it (the provider's default is 10 minutes). */
  readonly timeouts?: ManifestTimeouts;
}

/** Construct id of a planned object's manifest: `kind-name`, lower case (kinds may share a name). */
export function manifestId(object: Pick<KubernetesObject, "kind" | "metadata">): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}`;
}

/**
 * `value` with Terraform's template sequences in literal strings escaped (`${` -> `$${`, `%{` -> `%%{`), so
 * Terraform applies exactly the planned text; CDKTF tokens are left for CDKTF to resolve.
 */
export function escapeTemplates(value: unknown): unknown {
  if (typeof value === "string") {
    return isUnresolved(value) ? value : value.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
  }
  if (value === null || typeof value !== "object" || isUnresolved(value)) return value;
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, escapeTemplates(item)]),
  );
}

/** Creates the `kubernetes_manifest` of one planned object as a child of `scope`. */
export function createManifest(
  scope: Construct,
  object: KubernetesObject,
  options: ManifestOptions,
): Manifest {
  const computedFields = [...new Set([...DEFAULT_COMPUTED_FIELDS, ...(options.computedFields ?? [])])];
  return new Manifest(scope, manifestId(object), {
    manifest: escapeTemplates(object) as Record<string, unknown>,
    computedFields,
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.dependsOn?.length ? { dependsOn: [...options.dependsOn] } : {}),
    ...(options.wait ? { wait: options.wait } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
}
