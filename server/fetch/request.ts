import { isAbsolute, relative, resolve, sep } from "node:path";
import { normalizeSha256 } from "./digest";
import { invalidRequest } from "./errors";

/** The URI schemes `onnxfleet-server fetch` accepts. Plain `http:` is refused: models travel over TLS. */
export const FETCH_SCHEMES = ["s3:", "https:", "file:"] as const;

/** Where a model comes from. */
export type FetchScheme = (typeof FETCH_SCHEMES)[number];

/** One model file to fetch: where from, its pinned digest, and where to put it. */
export interface FetchRequest {
  /** `s3://bucket/key`, `https://host/path` or `file:///absolute/path`. */
  readonly uri: string;
  /** The pinned sha256 of the file, 64 hexadecimal digits. */
  readonly sha256: string;
  /** The file to write; absolute, or relative to the working directory. */
  readonly dest: string;
}

/** A request after validation: parsed URI, lowercase digest, absolute destination. */
export interface ValidatedRequest {
  /** The parsed source URI. */
  readonly uri: URL;
  /** Its scheme, one of {@link FETCH_SCHEMES}. */
  readonly scheme: FetchScheme;
  /** The pinned digest, lowercase hex. */
  readonly sha256: string;
  /** The destination, absolute. */
  readonly dest: string;
}

/**
 * Validates one request. `destRoot`, when given, is the directory every destination must lie in.
 * Destinations with a `..` segment are refused outright, as are ones that name a directory.
 */
export function validateRequest(request: FetchRequest, destRoot?: string): ValidatedRequest {
  const uri = parseUri(request.uri);
  return {
    uri,
    scheme: uri.protocol as FetchScheme,
    sha256: normalizeSha256(request.sha256),
    dest: validateDest(request.dest, destRoot),
  };
}

function parseUri(raw: string): URL {
  let uri: URL;
  try {
    uri = new URL(raw);
  } catch {
    throw invalidRequest(
      `uri ${JSON.stringify(raw)} is not a URI: expected s3://bucket/key, https://host/path or file:///path`,
    );
  }
  if (!(FETCH_SCHEMES as readonly string[]).includes(uri.protocol)) {
    const hint = uri.protocol === "http:" ? " (plain http is refused: use https://)" : "";
    throw invalidRequest(
      `uri ${JSON.stringify(raw)} has scheme "${uri.protocol.slice(0, -1)}"${hint}: allowed schemes are s3, https, file`,
    );
  }
  if (uri.username || uri.password) {
    throw invalidRequest(`uri ${JSON.stringify(redact(uri))} carries credentials: remove them from the URI`);
  }
  if (uri.protocol === "s3:" && (!uri.hostname || uri.pathname.length <= 1)) {
    throw invalidRequest(`uri ${JSON.stringify(raw)} must name a bucket and a key: s3://bucket/key`);
  }
  if (uri.protocol === "file:" && uri.hostname !== "" && uri.hostname !== "localhost") {
    throw invalidRequest(
      `uri ${JSON.stringify(raw)} names host "${uri.hostname}": use file:///absolute/path`,
    );
  }
  return uri;
}

function validateDest(raw: string, destRoot: string | undefined): string {
  if (raw.length === 0) throw invalidRequest("dest is empty: give the file path to write");
  if (raw.split(/[\\/]/).includes("..")) {
    throw invalidRequest(`dest ${JSON.stringify(raw)} has a ".." segment: give a path without one`);
  }
  if (raw.endsWith("/") || raw.endsWith("/.") || raw === ".") {
    throw invalidRequest(`dest ${JSON.stringify(raw)} names a directory: give the file path to write`);
  }
  const dest = resolve(raw);
  if (destRoot !== undefined) {
    const root = resolve(destRoot);
    const inside = relative(root, dest);
    if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
      throw invalidRequest(`dest ${JSON.stringify(raw)} is outside the destination root ${root}`);
    }
  }
  return dest;
}

/**
 * `uri` as text safe to log: user information and the query string (which carries the signature of a
 * presigned URL) are replaced by `***`.
 */
export function redact(uri: URL): string {
  const copy = new URL(uri.href);
  if (copy.username || copy.password) {
    copy.username = "***";
    copy.password = "";
  }
  if (copy.search) copy.search = "?***";
  copy.hash = "";
  return copy.href;
}
