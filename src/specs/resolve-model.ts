/** The `model` prop of a ModelService: one version, or several with traffic weights. */
import type { Lazy } from "../lazy";
import { MODEL_VERSION_MAX } from "../naming";
import { show, type Validator } from "../validate";
import { checkIntegerRange, checkLabelValue, checkSha256, normalizeSha256 } from "./common";
import { MODEL_SERVICE_DEFAULTS as D, type ModelServiceProps, type ModelVersionProps } from "./model-service";
import { checkModelUri } from "./model-uri";

/** One model version, validated. */
export interface ModelVersionSpec {
  readonly version: number;
  readonly uri: Lazy<string>;
  /** Lowercase when known. */
  readonly sha256: Lazy<string>;
  readonly weightPercent: number;
}

/** Validates `props.model`; returns its versions (one, or several with weights). */
export function resolveModel(
  check: Validator,
  props: ModelServiceProps,
): { modelName: string; versions: ModelVersionSpec[]; weightedVersions: boolean } {
  const model = props.model;
  if (model === null || typeof model !== "object") {
    check.add("model", `(${show(model)}) is required: { name, uri, sha256 } or { name, versions: [...] }`);
    return { modelName: "model", versions: [], weightedVersions: false };
  }
  const modelName = model.name;
  if (typeof modelName !== "string" || modelName.length === 0) {
    check.add("model.name", `(${show(modelName)}) is required: the model's name, e.g. "resnet50"`);
  } else {
    checkLabelValue(check, "model.name", modelName);
  }
  if (model.versions === undefined) {
    const version = model.version ?? D.modelVersion;
    checkIntegerRange(check, "model.version", version, 1, MODEL_VERSION_MAX);
    checkModelUri(check, "model.uri", model.uri);
    checkSha256Required(check, "model.sha256", model.sha256);
    const only = { version, uri: model.uri, sha256: normalizeSha256(model.sha256), weightPercent: 100 };
    return { modelName, versions: [only], weightedVersions: false };
  }
  const given = ["uri", "sha256", "version"].filter(
    (key) => (model as unknown as Record<string, unknown>)[key] !== undefined,
  );
  if (given.length > 0) {
    check.add(
      "model",
      `has both versions and ${given.join(", ")}: give { name, uri, sha256 } for one version, or ` +
        "{ name, versions: [{ version, uri, sha256, weightPercent }] } for several",
    );
  }
  if (!Array.isArray(model.versions) || model.versions.length === 0) {
    check.add("model.versions", `(${show(model.versions)}) must list at least one version`);
    return { modelName, versions: [], weightedVersions: true };
  }
  const versions = model.versions.map((v, i) => resolveVersion(check, `model.versions[${i}]`, v));
  checkVersionsTogether(check, versions);
  return { modelName, versions, weightedVersions: true };
}

function resolveVersion(check: Validator, path: string, v: ModelVersionProps): ModelVersionSpec {
  if (v === null || typeof v !== "object") {
    check.add(path, `(${show(v)}) must be { version, uri, sha256, weightPercent }`);
    return { version: Number.NaN, uri: "", sha256: "", weightPercent: Number.NaN };
  }
  checkIntegerRange(check, `${path}.version`, v.version, 1, MODEL_VERSION_MAX);
  checkModelUri(check, `${path}.uri`, v.uri);
  checkSha256Required(check, `${path}.sha256`, v.sha256);
  checkIntegerRange(check, `${path}.weightPercent`, v.weightPercent, 0, 100);
  return {
    version: v.version,
    uri: v.uri,
    sha256: normalizeSha256(v.sha256),
    weightPercent: v.weightPercent,
  };
}

function checkVersionsTogether(check: Validator, versions: readonly ModelVersionSpec[]): void {
  const seen = new Set<number>();
  versions.forEach((v, i) => {
    if (seen.has(v.version))
      check.add(`model.versions[${i}].version`, `(${v.version}) is listed twice; versions must be unique`);
    seen.add(v.version);
  });
  const weights = versions.map((v) => v.weightPercent);
  if (weights.every((w) => Number.isInteger(w))) {
    const sum = weights.reduce((a, b) => a + b, 0);
    check.that(
      sum === 100,
      "model.versions",
      `weightPercent values (${weights.join(" + ")} = ${sum}) must sum to 100`,
    );
  }
}

function checkSha256Required(check: Validator, path: string, value: Lazy<string> | undefined): void {
  if (value === undefined) {
    check.add(path, "is required: the model file's sha256 (64 hex digits, `sha256sum model.onnx`)");
    return;
  }
  checkSha256(check, path, value);
}
