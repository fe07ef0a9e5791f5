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

/**
 * The bucket and key an `s3://bucket/key` URI names, exactly as the server's fetcher requests them
 * (`server/fetch/sources/s3.ts`): the URI is parsed as a URL, so `?` and `#` end the key and `.`/`..`
 * segments are resolved, then bucket and key are percent-decoded (`%20` names a space). `undefined` for any
 * other value, or a URI naming no key.
 */
export function parseS3Uri(uri: Lazy<string>): S3Object | undefined {
  if (typeof uri !== "string" || isUnresolved(uri) || !uri.startsWith("s3://")) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  try {
    const bucket = decodeURIComponent(url.hostname);
    const key = decodeURIComponent(url.pathname.slice(1));
    if (bucket === "" || key === "") return undefined;
    return { bucket, key };
  } catch {
    return undefined;
  }
}

/**
 * The IAM resource ARN of exactly one S3 object. `*`, `?` and `$` in a key are written as the policy
 * variables `${*}`, `${?}` and `${$}`, so they match themselves and never act as wildcards:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export function s3ObjectArn(object: S3Object): string {
  const literal = (text: string) => text.replace(/[*?$]/g, (c) => `\${${c}}`);
  return `arn:aws:s3:::${literal(object.bucket)}/${literal(object.key)}`;
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
