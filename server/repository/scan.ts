/**
 * Reads the repository layout `DIR/<model>/<version>/model.onnx` (Triton's), refusing names outside
 * [A-Za-z0-9_.-], non-integer versions, and any path whose real location (symlinks followed) leaves DIR.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { RepositoryError } from "./errors";
import { checkExternalData, isInside } from "./external-data";
import { DEFAULT_MODEL_CONFIG, type ModelConfig, readModelConfig, selectVersions } from "./model-config";

/** Characters allowed in model names. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const VERSION_PATTERN = /^[1-9][0-9]{0,8}$/;

/** File name of a model version's ONNX file. */
export const MODEL_FILE = "model.onnx";
/** File name of a model's optional settings. */
export const MODEL_CONFIG_FILE = "config.json";

export interface ScannedVersion {
  readonly version: number;
  readonly modelPath: string;
}

export interface ScannedModel {
  readonly name: string;
  readonly config: ModelConfig;
  /** The versions the policy serves, ascending. */
  readonly versions: readonly ScannedVersion[];
}

function realInside(root: string, path: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    throw new RepositoryError(`${what} ${path} cannot be resolved: ${(error as Error).message}`);
  }
  if (!isInside(root, real)) {
    throw new RepositoryError(`${what} ${path} resolves to ${real}, outside the model repository ${root}`);
  }
  return real;
}

function scanModel(root: string, name: string): ScannedModel {
  const modelDir = join(root, name);
  realInside(root, modelDir, `model "${name}"`);
  const configPath = join(modelDir, MODEL_CONFIG_FILE);
  const config = existsSync(configPath)
    ? readModelConfig(realInside(root, configPath, `config of model "${name}"`))
    : DEFAULT_MODEL_CONFIG;
  const available = new Map<number, string>();
  for (const entry of readdirSync(modelDir).sort()) {
    const path = join(modelDir, entry);
    if (!statSync(path).isDirectory()) continue; // config.json, labels, notes
    if (!VERSION_PATTERN.test(entry)) {
      throw new RepositoryError(
        `model "${name}": version directory "${entry}" is not a positive integer (${path})`,
      );
    }
    available.set(Number(entry), path);
  }
  if (available.size === 0) {
    throw new RepositoryError(
      `model "${name}" has no version directories (expected ${modelDir}/1/${MODEL_FILE})`,
    );
  }
  const selected = selectVersions([...available.keys()], config.versionPolicy, `model "${name}"`);
  const versions = selected.map((version) => {
    const versionDir = realInside(root, available.get(version)!, `model "${name}" version ${version}`);
    const modelPath = join(versionDir, MODEL_FILE);
    if (!existsSync(modelPath)) {
      throw new RepositoryError(`model "${name}" version ${version} has no ${MODEL_FILE} (${modelPath})`);
    }
    const realModel = realInside(root, modelPath, `model "${name}" version ${version} file`);
    checkExternalData(realModel, versionDir);
    return { version, modelPath: realModel };
  });
  return { name, config, versions };
}

/** Scans and validates the repository at `root`. Throws {@link RepositoryError} on the first problem. */
export function scanRepository(root: string): ScannedModel[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new RepositoryError(`model repository ${root} is not a directory`);
  }
  const realRoot = realpathSync(root);
  const models: ScannedModel[] = [];
  for (const entry of readdirSync(realRoot).sort()) {
    const path = join(realRoot, entry);
    if (!statSync(path).isDirectory()) continue;
    if (!MODEL_NAME_PATTERN.test(entry)) {
      throw new RepositoryError(
        `model name "${entry}" is not allowed: use only letters, digits, "_", "." and "-" (${path})`,
      );
    }
    models.push(scanModel(realRoot, entry));
  }
  if (models.length === 0) {
    throw new RepositoryError(
      `model repository ${root} holds no models (expected <model>/<version>/${MODEL_FILE})`,
    );
  }
  return models;
}
