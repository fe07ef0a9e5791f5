import type { Readable } from "node:stream";

/** An opened model source: the byte stream and, when the source says, its length. */
export interface OpenedSource {
  /** The file's bytes. The caller consumes or destroys it. */
  readonly body: Readable;
  /** The length the source announced (Content-Length, object size, file size); undefined when unknown. */
  readonly sizeBytes: number | undefined;
}

/**
 * Opens one attempt at reading `uri`. Throws a `FetchError`: `TRANSIENT` for failures worth retrying,
 * `SOURCE_REFUSED` otherwise. Errors while the body streams are classified by the caller.
 */
export type OpenSource = (uri: URL, signal: AbortSignal) => Promise<OpenedSource>;
