/**
 * Stable error codes of the onnxfleet core, in one table, so users and tests can match on them.
 * Codes never change meaning once published; add new ones at the end.
 */
export const ERROR_CODES = {
  /** One or more construct props are invalid; `problems` lists each with its path. */
  INVALID_PROPS: "ONNXFLEET_INVALID_PROPS",
  /** A topology file (`onnxfleet render`) could not be read or parsed. */
  INVALID_TOPOLOGY_FILE: "ONNXFLEET_INVALID_TOPOLOGY_FILE",
  /** A reference between constructs (a model service's node pool, an endpoint's service) is dangling. */
  UNKNOWN_REFERENCE: "ONNXFLEET_UNKNOWN_REFERENCE",
  /**
   * Pods that a node pool cannot hold at its `nodes.max`: an endpoint's `replicas.max` (or a service's fixed
   * `replicas`), per model version, times the GPUs per pod, alone or summed over every construct on the pool.
   * The HPA would add pods that stay Pending. A {@link Problem} of a ValidationError carries it.
   */
  POOL_GPUS_EXCEEDED: "ONNXFLEET_POOL_GPUS_EXCEEDED",
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** One invalid prop: where it is, what was received, and what is allowed. */
export interface Problem {
  /** Dotted property path from the construct's props, e.g. `replicas.min` or `versions[1].weight`. */
  readonly path: string;
  /** What is wrong and what is allowed, e.g. `(5) must not exceed replicas.max (3)`. */
  readonly reason: string;
  /**
   * A code more specific than the error's own, for problems users may want to match on.
   * @default - the error's code (`ONNXFLEET_INVALID_PROPS`)
   */
  readonly code?: ErrorCode;
}

/** Base class of every error the core throws; carries a stable `code`. */
export class OnnxfleetError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "OnnxfleetError";
    this.code = code;
  }
}

/**
 * Invalid props, reported all at once. The message has one line per problem, each naming the construct,
 * the prop and the fix: `ModelService "resnet": replicas.min (5) must not exceed replicas.max (3)`.
 */
export class ValidationError extends OnnxfleetError {
  readonly construct: string;
  readonly constructName: string;
  readonly problems: readonly Problem[];
  constructor(construct: string, constructName: string, problems: readonly Problem[]) {
    const lines = problems.map((p) => `${construct} "${constructName}": ${p.path} ${p.reason}`);
    const header = problems.length === 1 ? "" : `${problems.length} problems:\n  `;
    super(ERROR_CODES.INVALID_PROPS, header + lines.join("\n  "));
    this.name = "ValidationError";
    this.construct = construct;
    this.constructName = constructName;
    this.problems = problems;
  }
}
