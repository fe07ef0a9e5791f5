/** The bearer token: where it comes from, and how a presented one is compared. */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

/** Shortest token accepted, in characters: guessing must be out of reach. */
export const MIN_TOKEN_LENGTH = 16;

/** A token source that cannot be used: missing file, empty or short token, both sources set. */
export class AuthTokenError extends Error {
  override readonly name = "AuthTokenError";
}

/** Where the token may come from; at most one may be set. */
export interface AuthTokenSources {
  /** Path of a file holding the token (a mounted Kubernetes Secret); surrounding whitespace is trimmed. */
  readonly tokenFile?: string | undefined;
  /** The token itself (from `ONNXFLEET_AUTH_TOKEN`). */
  readonly token?: string | undefined;
}

/** Resolves the token, or `undefined` when auth is off (no source set). Throws {@link AuthTokenError}. */
export function loadAuthToken(sources: AuthTokenSources): string | undefined {
  const { tokenFile, token } = sources;
  if (tokenFile !== undefined && token !== undefined) {
    throw new AuthTokenError("set either --auth-token-file or ONNXFLEET_AUTH_TOKEN, not both");
  }
  let value: string;
  let origin: string;
  if (tokenFile !== undefined) {
    origin = `--auth-token-file ${tokenFile}`;
    try {
      value = readFileSync(tokenFile, "utf8").trim();
    } catch (error) {
      throw new AuthTokenError(`${origin}: cannot read the file (${(error as NodeJS.ErrnoException).code})`);
    }
  } else if (token !== undefined) {
    origin = "ONNXFLEET_AUTH_TOKEN";
    value = token.trim();
  } else {
    return undefined;
  }
  if (value.length < MIN_TOKEN_LENGTH || /\s/.test(value)) {
    throw new AuthTokenError(
      `${origin}: the token must be at least ${MIN_TOKEN_LENGTH} characters without whitespace ` +
        "(generate one with `openssl rand -hex 32`)",
    );
  }
  return value;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed to equal-length
 * SHA-256 digests first, so neither the content nor the length of the secret leaks through timing.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}
