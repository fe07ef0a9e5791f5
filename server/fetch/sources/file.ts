import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { FETCH_ERROR_CODES, FetchError } from "../errors";
import type { OpenedSource } from "./source";

/** Opens a `file://` URI: a regular file on a local or mounted filesystem. */
export async function openFile(uri: URL, signal: AbortSignal): Promise<OpenedSource> {
  const path = fileURLToPath(uri);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new FetchError(FETCH_ERROR_CODES.SOURCE_REFUSED, `${uri.href} is not a regular file`);
    }
    size = info.size;
  } catch (error) {
    if (error instanceof FetchError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new FetchError(FETCH_ERROR_CODES.SOURCE_REFUSED, `cannot read ${uri.href}: ${code}`, {
      cause: error,
    });
  }
  return { body: createReadStream(path, { signal }), sizeBytes: size };
}
