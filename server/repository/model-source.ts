/**
 * Reads a model version's file once: the bytes that are hashed are the bytes that are served. Every
 * session of the version (main thread and worker instances, restarts included) is created from this
 * buffer, so a file swapped on disk after the check is never loaded.
 */
import { readFile } from "node:fs/promises";
import { verifySha256Bytes } from "../fetch/digest";
import type { ModelSource } from "../runtime/session";

/** Reads `path`; when `pinnedSha256` is set, refuses bytes whose sha256 differs (naming both digests). */
export async function readModelSource(path: string, pinnedSha256: string | undefined): Promise<ModelSource> {
  const bytes = await readFile(path);
  if (pinnedSha256 !== undefined) verifySha256Bytes(path, bytes, pinnedSha256);
  return { path, bytes };
}
