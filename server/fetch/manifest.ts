import { readFile } from "node:fs/promises";
import { invalidRequest } from "./errors";
import type { FetchRequest } from "./request";

const FIELDS = ["uri", "sha256", "dest"] as const;

/**
 * Reads a fetch manifest: a JSON array of `{"uri", "sha256", "dest"}` objects, e.g.
 * `[{"uri": "s3://models/resnet/1/model.onnx", "sha256": "9f2c...", "dest": "/models/resnet/1/model.onnx"}]`.
 * Unknown fields are refused, so that a typo cannot silently drop a digest.
 */
export async function readManifest(path: string): Promise<FetchRequest[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw invalidRequest(
      `manifest ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`manifest ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseManifest(parsed, `manifest ${path}`);
}

/** Checks the shape of a parsed manifest; `where` prefixes every message. */
export function parseManifest(parsed: unknown, where: string): FetchRequest[] {
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw invalidRequest(`${where} must be a non-empty JSON array of {"uri", "sha256", "dest"} objects`);
  }
  return parsed.map((entry: unknown, index) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw invalidRequest(`${where}: [${index}] must be an object with uri, sha256 and dest`);
    }
    const record = entry as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !(FIELDS as readonly string[]).includes(key));
    if (unknown.length > 0) {
      throw invalidRequest(
        `${where}: [${index}] has unknown field(s) ${unknown.join(", ")}; allowed: ${FIELDS.join(", ")}`,
      );
    }
    for (const field of FIELDS) {
      if (typeof record[field] !== "string") {
        throw invalidRequest(
          `${where}: [${index}].${field} must be a string, got ${JSON.stringify(record[field])}`,
        );
      }
    }
    return { uri: record.uri as string, sha256: record.sha256 as string, dest: record.dest as string };
  });
}
