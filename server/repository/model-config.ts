/**
 * The optional per-model `config.json` (`DIR/<model>/config.json`):
 *
 * ```json
 * { "versionPolicy": { "latest": 2 } }
 * { "versionPolicy": { "specific": [1, 3] } }
 * { "warmup": { "inputs": [{ "name": "x", "datatype": "FP32", "shape": [1, 2], "data": [0.5, 1] }] } }
 * { "versionPolicy": { "specific": [3] }, "sha256": "9f2c…" }
 * { "versionPolicy": { "latest": 2 }, "sha256": { "3": "9f2c…", "4": "51ab…" } }
 * ```
 *
 * Unknown keys are refused (a typo must not silently change what is served). To add a setting, add one
 * entry to {@link MODEL_CONFIG_FIELDS} and its property to {@link ModelConfig}.
 */
import { readFileSync } from "node:fs";
import { BATCHING_CONFIG_FIELDS, type ModelBatchingConfig } from "../batching/model-settings";
import { isSha256Hex } from "../fetch/digest";
import { RepositoryError } from "./errors";

/** Which of a model's versions are served. */
export type VersionPolicy = { readonly latest: number } | { readonly specific: readonly number[] };

/** A model's settings (batching and instance keys: see server/batching/model-settings.ts). */
export interface ModelConfig extends ModelBatchingConfig {
  /** @default { latest: 1 } - the highest version only */
  readonly versionPolicy: VersionPolicy;
  /**
   * The warm-up request run once per version before it turns ready: an inference request body in V2 JSON
   * form (`inputs` with `data`), checked against each version's signature at load. For models whose inputs
   * cannot be synthesised (e.g. a shape tensor).
   * @default - synthesised: zeros (empty strings for BYTES) with every dynamic dimension set to 1
   */
  readonly warmup?: WarmupRequest;
  /**
   * The sha256 each served `model.onnx` must have, re-checked at load: a model whose file does not match
   * is refused and the server never turns ready. A string pins every served version (use it with one
   * version, as the constructs do); an object maps version numbers to digests and must name every served
   * version.
   * @default - not pinned
   */
  readonly sha256?: string | Readonly<Record<string, string>>;
}

/** A warm-up request: a V2 JSON inference request body. */
export interface WarmupRequest {
  readonly inputs: readonly unknown[];
}

export const DEFAULT_MODEL_CONFIG: ModelConfig = { versionPolicy: { latest: 1 } };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseVersionPolicy(value: unknown, where: string): VersionPolicy {
  const keys = isRecord(value) ? Object.keys(value) : [];
  if (!isRecord(value) || keys.length !== 1) {
    throw new RepositoryError(`${where}: versionPolicy must be {"latest": N} or {"specific": [versions]}`);
  }
  if ("latest" in value) {
    const latest = value.latest;
    if (!Number.isSafeInteger(latest) || (latest as number) < 1) {
      throw new RepositoryError(
        `${where}: versionPolicy.latest must be a positive integer, got ${JSON.stringify(latest)}`,
      );
    }
    return { latest: latest as number };
  }
  if ("specific" in value) {
    const specific = value.specific;
    if (
      !Array.isArray(specific) ||
      specific.length === 0 ||
      specific.some((version) => !Number.isSafeInteger(version) || version < 1)
    ) {
      throw new RepositoryError(
        `${where}: versionPolicy.specific must be a non-empty array of positive integers, got ${JSON.stringify(specific)}`,
      );
    }
    return { specific: [...new Set(specific as number[])].sort((a, b) => a - b) };
  }
  throw new RepositoryError(
    `${where}: versionPolicy must be {"latest": N} or {"specific": [versions]}, got key "${keys[0]}"`,
  );
}

function parseWarmup(value: unknown, where: string): WarmupRequest {
  if (!isRecord(value) || !Array.isArray(value.inputs) || value.inputs.length === 0) {
    throw new RepositoryError(
      `${where}: warmup must be an inference request body with a non-empty "inputs" array`,
    );
  }
  return value as unknown as WarmupRequest;
}

function parseSha256(value: unknown, where: string): string | Readonly<Record<string, string>> {
  const digest = (candidate: unknown, key: string): string => {
    if (typeof candidate !== "string" || !isSha256Hex(candidate)) {
      throw new RepositoryError(
        `${where}: ${key} must be a sha256 digest of 64 hexadecimal digits (\`sha256sum model.onnx\`), got ${JSON.stringify(candidate)}`,
      );
    }
    return candidate.toLowerCase();
  };
  if (typeof value === "string") return digest(value, "sha256");
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw new RepositoryError(
      `${where}: sha256 must be a digest, or an object mapping version numbers to digests, got ${JSON.stringify(value)}`,
    );
  }
  const pins: Record<string, string> = {};
  for (const [version, candidate] of Object.entries(value)) {
    if (!/^[1-9][0-9]*$/.test(version)) {
      throw new RepositoryError(
        `${where}: sha256 keys must be version numbers, got ${JSON.stringify(version)}`,
      );
    }
    pins[version] = digest(candidate, `sha256["${version}"]`);
  }
  return pins;
}

/**
 * The digest pinned for `version`, if the config pins one. Throws when the config pins versions by number
 * but not this one (a served version must not slip through unpinned).
 */
export function pinnedSha256(config: ModelConfig, version: string, where: string): string | undefined {
  if (config.sha256 === undefined || typeof config.sha256 === "string") return config.sha256;
  const pin = config.sha256[version];
  if (pin === undefined) {
    throw new RepositoryError(
      `${where}: version ${version} is served but sha256 pins only version(s) ${Object.keys(config.sha256).join(", ")}; add its digest or leave it out of versionPolicy`,
    );
  }
  return pin;
}

/** Parsers of each config.json key; the result object is assembled from these. */
export const MODEL_CONFIG_FIELDS: Readonly<Record<string, (value: unknown, where: string) => unknown>> = {
  versionPolicy: parseVersionPolicy,
  warmup: parseWarmup,
  sha256: parseSha256,
  ...BATCHING_CONFIG_FIELDS,
};

/** Parses config.json content; `where` names the file in error messages. */
export function parseModelConfig(value: unknown, where: string): ModelConfig {
  if (!isRecord(value)) throw new RepositoryError(`${where}: must hold a JSON object`);
  const config: Record<string, unknown> = { ...DEFAULT_MODEL_CONFIG };
  for (const [key, field] of Object.entries(value)) {
    const parse = MODEL_CONFIG_FIELDS[key];
    if (parse === undefined) {
      throw new RepositoryError(
        `${where}: unknown key "${key}"; known keys: ${Object.keys(MODEL_CONFIG_FIELDS).join(", ")}`,
      );
    }
    config[key] = parse(field, where);
  }
  return config as unknown as ModelConfig;
}

/** Reads and parses a config.json file. */
export function readModelConfig(path: string): ModelConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new RepositoryError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseModelConfig(parsed, path);
}

/** The versions a policy serves out of those on disk (ascending). Throws when a specific version is absent. */
export function selectVersions(available: readonly number[], policy: VersionPolicy, where: string): number[] {
  const sorted = [...available].sort((a, b) => a - b);
  if ("latest" in policy) return sorted.slice(-policy.latest);
  const missing = policy.specific.filter((version) => !sorted.includes(version));
  if (missing.length > 0) {
    throw new RepositoryError(
      `${where}: versionPolicy.specific lists version(s) ${missing.join(", ")}, which are not in the repository ` +
        `(found: ${sorted.join(", ") || "none"})`,
    );
  }
  return [...policy.specific];
}
