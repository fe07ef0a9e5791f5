/**
 * Topology files (`onnxfleet render FILE`): GpuNodePools, ModelServices and AutoscaledEndpoints described
 * by their TypeScript props in YAML or JSON, planned together and printed as multi-document YAML for GitOps.
 * The file's JSON Schema (`schema/topology.schema.json`) is generated from {@link TopologyFile}.
 */
import { parseAllDocuments, stringify } from "yaml";
import { claimEndpointPoolGpus, claimServicePoolGpus } from "./capacity/pool-claims";
import { ERROR_CODES, OnnxfleetError } from "./errors";
import { type AutoscaledEndpointPlan, planAutoscaledEndpoint } from "./plan/autoscaled-endpoint";
import { type GpuNodePoolPlan, planGpuNodePool } from "./plan/gpu-node-pool";
import { type ModelServicePlan, planModelService } from "./plan/model-service";
import type { MultiRegionFailoverPlan } from "./plan/multi-region-failover";
import type { KubernetesObject } from "./plan/types";
import type { AutoscaledEndpointProps } from "./specs/autoscaled-endpoint";
import type { GpuNodePoolProps } from "./specs/gpu-node-pool";
import type { ModelServiceProps } from "./specs/model-service";
import { planTopologyFailover, type TopologyMultiRegionFailoverProps } from "./topology-failover";
import { formatRequirements, type TopologyRequirements, topologyRequirements } from "./topology-requirements";
import { type PlannedOrStandIn, realPlans, standInBinding, standInService } from "./topology-stand-ins";
import { show } from "./validate";

/** A ModelService in a topology file: its props, and the pool it runs on by name. */
export interface TopologyModelServiceProps extends ModelServiceProps {
  /**
   * Name of the GpuNodePool (a key of `gpuNodePools`) the pods run on.
   * @default - no pool: pods run on any node, without GPUs
   */
  readonly nodePool?: string;
  /**
   * The EKS cluster of the service's Pod Identity association (a model in S3), for the cloud resources
   * `onnxfleet render` lists.
   * @default - the node pool's `clusterName`
   */
  readonly clusterName?: string;
}

/** An AutoscaledEndpoint in a topology file: its props, and the service it scales by name. */
export interface TopologyAutoscaledEndpointProps extends AutoscaledEndpointProps {
  /** Name of the ModelService (a key of `modelServices`) the endpoint scales and exposes. */
  readonly service: string;
}

/**
 * A topology file: each construct under its name, with exactly its TypeScript props. References between
 * constructs are by name.
 */
export interface TopologyFile {
  /**
   * URI of this file's JSON Schema, for editors (JSON files; YAML files use a `# yaml-language-server:
   * $schema=...` comment).
   * @default - none
   */
  readonly $schema?: string;
  /**
   * GPU node pools by name.
   * @default - none
   */
  readonly gpuNodePools?: Readonly<Record<string, GpuNodePoolProps>>;
  /**
   * Model services by name.
   * @default - none
   */
  readonly modelServices?: Readonly<Record<string, TopologyModelServiceProps>>;
  /**
   * Autoscaled endpoints by name.
   * @default - none
   */
  readonly autoscaledEndpoints?: Readonly<Record<string, TopologyAutoscaledEndpointProps>>;
  /**
   * Multi-region failovers by name, their regions' endpoints by name (`onnxfleet plan` prints their N+1
   * verdict and failover time).
   * @default - none
   */
  readonly multiRegionFailovers?: Readonly<Record<string, TopologyMultiRegionFailoverProps>>;
}

/** The plans of every construct of a topology, and all their Kubernetes objects in apply order. */
export interface TopologyPlan {
  readonly gpuNodePools: Readonly<Record<string, GpuNodePoolPlan>>;
  readonly modelServices: Readonly<Record<string, ModelServicePlan>>;
  readonly autoscaledEndpoints: Readonly<Record<string, AutoscaledEndpointPlan>>;
  readonly multiRegionFailovers: Readonly<Record<string, MultiRegionFailoverPlan>>;
  /** Pools' objects, then each service's, then each endpoint's; within a kind, in file order. */
  readonly kubernetesObjects: readonly KubernetesObject[];
}

/**
 * Several constructs of a topology are invalid: every error, each with its own message and code. Its code is
 * the first error's.
 */
export class TopologyError extends OnnxfleetError {
  readonly errors: readonly OnnxfleetError[];
  constructor(errors: readonly OnnxfleetError[]) {
    const first = errors[0];
    if (!first) throw new Error("TopologyError needs at least one error");
    super(first.code, errors.map((error) => error.message).join("\n"));
    this.name = "TopologyError";
    this.errors = errors;
  }
}

const SECTIONS = ["gpuNodePools", "modelServices", "autoscaledEndpoints", "multiRegionFailovers"] as const;
const TOP_LEVEL_KEYS: readonly string[] = ["$schema", ...SECTIONS];

/**
 * Plans every construct of `topology`, resolving references by name.
 * @throws ValidationError, or OnnxfleetError with code UNKNOWN_REFERENCE or INVALID_TOPOLOGY_FILE, or a
 * {@link TopologyError} carrying several of them: every problem of the file at once.
 */
export function planTopology(topology: TopologyFile): TopologyPlan {
  checkShape(topology);
  const errors: OnnxfleetError[] = [];
  const attempt = <T>(plan: () => T): T | undefined => {
    try {
      return plan();
    } catch (error) {
      if (error instanceof OnnxfleetError) errors.push(error);
      else throw error;
      return undefined;
    }
  };
  const gpuNodePools: Record<string, GpuNodePoolPlan> = {};
  for (const [name, props] of Object.entries(topology.gpuNodePools ?? {})) {
    const plan = attempt(() => planGpuNodePool(name, props));
    if (plan) gpuNodePools[name] = plan;
  }
  // Every construct is checked, even when what it references is dangling or invalid: against a stand-in
  // (src/topology-stand-ins.ts), so the file's every problem is reported at once. Plans made against a
  // stand-in are never rendered (the file has errors by then).
  const services: Record<string, PlannedOrStandIn<ModelServicePlan>> = {};
  for (const [name, { nodePool, clusterName: _cluster, ...props }] of Object.entries(
    topology.modelServices ?? {},
  )) {
    if (nodePool !== undefined && !Object.hasOwn(topology.gpuNodePools ?? {}, nodePool))
      errors.push(
        unknownReference("ModelService", name, "nodePool", nodePool, "gpuNodePools", topology.gpuNodePools),
      );
    const pool = nodePool === undefined ? undefined : gpuNodePools[nodePool];
    const standIn = nodePool !== undefined && !pool;
    const binding = standIn
      ? standInBinding(nodePool, topology.gpuNodePools?.[nodePool]?.instanceTypes)
      : pool?.binding;
    const plan = attempt(() => planModelService(name, props, binding));
    if (!plan) continue;
    services[name] = { plan, standIn };
    // Every construct on a pool together must fit it, as in the front-ends (#15 item 7).
    if (!standIn) attempt(() => claimServicePoolGpus(plan));
  }
  const endpoints: Record<string, PlannedOrStandIn<AutoscaledEndpointPlan>> = {};
  for (const [name, { service, ...props }] of Object.entries(topology.autoscaledEndpoints ?? {})) {
    if (!Object.hasOwn(topology.modelServices ?? {}, service))
      errors.push(
        unknownReference(
          "AutoscaledEndpoint",
          name,
          "service",
          service,
          "modelServices",
          topology.modelServices,
        ),
      );
    const checked = services[service];
    const servicePlan = checked?.plan ?? standInService(topology.modelServices?.[service]?.namespace);
    const standIn = !checked || checked.standIn;
    const plan = attempt(() => planAutoscaledEndpoint(name, props, servicePlan));
    if (!plan) continue;
    endpoints[name] = { plan, standIn };
    if (!standIn) attempt(() => claimEndpointPoolGpus(plan, servicePlan));
  }
  const multiRegionFailovers: Record<string, MultiRegionFailoverPlan> = {};
  for (const [name, props] of Object.entries(topology.multiRegionFailovers ?? {})) {
    const regions = Array.isArray(props.regions) ? props.regions : [];
    for (const region of regions)
      if (!Object.hasOwn(topology.autoscaledEndpoints ?? {}, region?.endpoint))
        errors.push(
          unknownReference(
            "MultiRegionFailover",
            name,
            "regions[].endpoint",
            region?.endpoint,
            "autoscaledEndpoints",
            topology.autoscaledEndpoints,
          ),
        );
    const plan = attempt(() => planTopologyFailover(name, props, realPlans(endpoints)));
    if (plan) multiRegionFailovers[name] = plan;
  }
  const modelServices = realPlans(services);
  const autoscaledEndpoints = realPlans(endpoints);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new TopologyError(errors);
  return {
    gpuNodePools,
    modelServices,
    autoscaledEndpoints,
    multiRegionFailovers,
    kubernetesObjects: [
      ...Object.values(gpuNodePools).flatMap((plan) => plan.kubernetesObjects),
      ...Object.values(modelServices).flatMap((plan) => plan.kubernetesObjects),
      ...Object.values(autoscaledEndpoints).flatMap((plan) => plan.kubernetesObjects),
    ],
  };
}

/** Plans `topology` and prints its Kubernetes objects as multi-document YAML (`---` between objects). */
export function renderTopology(topology: TopologyFile): string {
  const plan = planTopology(topology);
  return (
    requirementsHeader(topologyRequirements(topology, plan)) + renderKubernetesObjects(plan.kubernetesObjects)
  );
}

/**
 * The header comment of a rendered file: what it needs beyond its objects ({@link topologyRequirements}), one
 * `# ` line each; empty when it needs nothing.
 */
export function requirementsHeader(requirements: TopologyRequirements): string {
  const lines = formatRequirements(requirements);
  if (lines.length === 0) return "";
  return ["# Rendered by onnxfleet render: this file holds Kubernetes objects only.", ...lines]
    .map((line) => `# ${line.replace(/^# /, "")}`.trimEnd())
    .join("\n")
    .concat("\n");
}

/** Kubernetes objects as multi-document YAML: no anchors, no folded lines. */
export function renderKubernetesObjects(objects: readonly KubernetesObject[]): string {
  return objects
    .map((object) => stringify(object, { aliasDuplicateObjects: false, lineWidth: 0 }))
    .join("---\n");
}

/**
 * Parses the text of a topology file (YAML, which includes JSON). `source` names the file in messages.
 * @throws OnnxfleetError with code INVALID_TOPOLOGY_FILE for syntax errors, several documents, or a
 * document that is not a mapping.
 */
export function parseTopology(text: string, source = "topology file"): TopologyFile {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(documents) || documents.length === 0)
    return invalidFile(source, `is empty; expected a mapping with keys ${SECTIONS.join(", ")}`);
  if (documents.length !== 1)
    return invalidFile(source, `holds ${documents.length} YAML documents; a topology file holds exactly one`);
  const document = documents[0]!;
  const error = document.errors[0];
  if (error) return invalidFile(source, `is not valid YAML or JSON: ${error.message}`);
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  checkShape(value, source);
  return value as TopologyFile;
}

function checkShape(value: unknown, source = "topology"): asserts value is TopologyFile {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    invalidFile(source, `must be a mapping with keys ${SECTIONS.join(", ")}; got ${show(value)}`);
  const problems: string[] = [];
  for (const [key, section] of Object.entries(value as Record<string, unknown>)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      const hint = TOP_LEVEL_KEYS.find((known) => sameLetters(known, key));
      problems.push(
        `unknown key ${show(key)}${hint ? ` (did you mean ${show(hint)}?)` : ""}; allowed: ${SECTIONS.join(", ")}`,
      );
      continue;
    }
    if (key === "$schema") {
      if (typeof section !== "string") problems.push(`$schema (${show(section)}) must be a string`);
      continue;
    }
    if (section === null || typeof section !== "object" || Array.isArray(section)) {
      problems.push(`${key} (${show(section)}) must be a mapping of names to props`);
      continue;
    }
    for (const [name, props] of Object.entries(section))
      if (props === null || typeof props !== "object" || Array.isArray(props))
        problems.push(`${key}.${name} (${show(props)}) must be a mapping of props`);
  }
  if (problems.length > 0) invalidFile(source, problems.join("; "));
}

/** Case- and plural-insensitive comparison, for "did you mean" hints. */
function sameLetters(a: string, b: string): boolean {
  const simplify = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z]/g, "")
      .replace(/s$/, "");
  return simplify(a) === simplify(b);
}

function invalidFile(source: string, reason: string): never {
  throw new OnnxfleetError(ERROR_CODES.INVALID_TOPOLOGY_FILE, `${source} ${reason}`);
}

function unknownReference(
  construct: string,
  name: string,
  prop: string,
  target: unknown,
  section: string,
  defined: Readonly<Record<string, unknown>> | undefined,
): OnnxfleetError {
  const names = Object.keys(defined ?? {});
  return new OnnxfleetError(
    ERROR_CODES.UNKNOWN_REFERENCE,
    `${construct} "${name}": ${prop} (${show(target)}) names nothing in ${section}; ` +
      (names.length > 0 ? `defined: ${names.map((n) => show(n)).join(", ")}` : `${section} is empty`),
  );
}
