/**
 * AWS's length limits on the physical names and prefixes onnxfleet generates, and the one way a name that
 * would pass its limit is shortened. Names are a public contract: a name within its limit is kept as is.
 */
import { createHash } from "node:crypto";

/**
 * IAM role `namePrefix`: a role name is at most 64 characters
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), and Terraform / Pulumi append
 * a 26-character unique suffix to a prefix, so a prefix is at most 38.
 */
export const IAM_ROLE_NAME_PREFIX_MAX_LENGTH = 38;

/**
 * `text` when it is at most `max` characters; otherwise its first characters, then `-` and 8 hex digits of
 * its SHA-256, `max` characters in all, keeping `keepSuffix` (e.g. a trailing `-`) at the end. Deterministic,
 * so a name does not change between runs.
 */
export function fitName(text: string, max: number, keepSuffix = ""): string {
  if (text.length <= max) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 8);
  const head = text.slice(0, max - keepSuffix.length - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}${keepSuffix}`;
}
