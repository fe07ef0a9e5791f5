/** Model URIs: which schemes the server's `fetch` understands, and what an S3 URI points at. */
import { isUnresolved, type Lazy } from "../lazy";
import { show, type Validator } from "../validate";
import { hostnameProblem } from "./hostname";
import { MODEL_URI_SCHEMES } from "./model-service";

/** An S3 object named by an `s3://bucket/key` URI. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket and key of an `s3://bucket/key` URI; `undefined` for any other value. */
export function parseS3Uri(uri: Lazy<string>): S3Object | undefined {
  if (typeof uri !== "string" || isUnresolved(uri)) return undefined;
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) return undefined;
  return { bucket: match[1], key: match[2] };
}

/** Checks a model URI: an allowed scheme and a well-formed location of one file. */
export function checkModelUri(check: Validator, path: string, uri: Lazy<string> | undefined): boolean {
  if (uri === undefined) {
    check.add(path, `is required: ${MODEL_URI_SCHEMES.map((s) => `${s}...`).join(", ")}`);
    return false;
  }
  if (isUnresolved(uri)) return true;
  if (typeof uri !== "string") {
    check.add(path, `(${show(uri)}) must be a string`);
    return false;
  }
  const scheme = MODEL_URI_SCHEMES.find((s) => uri.startsWith(s));
  if (!scheme) {
    const given = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)/.exec(uri)?.[1];
    check.add(
      path,
      `(${show(uri)}) ${given ? `has an unsupported scheme ${show(given)}` : "has no scheme"}; allowed: ` +
        `${MODEL_URI_SCHEMES.join(", ")}`,
    );
    return false;
  }
  const problem = describeUriProblem(scheme, uri);
  if (problem) check.add(path, `(${show(uri)}) ${problem}`);
  return problem === undefined;
}

function describeUriProblem(scheme: (typeof MODEL_URI_SCHEMES)[number], uri: string): string | undefined {
  if (/\s/.test(uri)) return "must not contain whitespace";
  if (uri.endsWith("/")) return "must name a file, not a directory (no trailing /)";
  if (scheme === "s3://") {
    const object = parseS3Uri(uri);
    if (!object) return "must be s3://<bucket>/<key>";
    if (!S3_BUCKET.test(object.bucket))
      return `has an invalid bucket name ${show(object.bucket)} (3 to 63 lowercase letters, digits, "." and "-")`;
    return undefined;
  }
  if (scheme === "https://") {
    try {
      const url = new URL(uri);
      if (!url.hostname) return "must name a host";
      const host = hostnameProblem(url.hostname);
      if (host) return `is not a valid URL: it ${host}`;
      if (url.pathname === "/" || url.pathname === "") return "must name a file path on the host";
    } catch {
      return "is not a valid URL";
    }
    return undefined;
  }
  const path = uri.slice("file://".length);
  if (!path.startsWith("/")) return "must be file:///<absolute path> (three slashes)";
  return undefined;
}
