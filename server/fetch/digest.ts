import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { FETCH_ERROR_CODES, FetchError, invalidRequest } from "./errors";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `value` is a sha256 digest written as 64 hexadecimal digits (either case). */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value.toLowerCase());
}

/** `value` as a lowercase sha256 hex digest; throws a clear error when it is not one. */
export function normalizeSha256(value: string): string {
  const lower = value.trim().toLowerCase();
  if (!SHA256_HEX.test(lower)) {
    throw invalidRequest(
      `sha256 ${JSON.stringify(value)} is not a sha256 digest: expected 64 hexadecimal digits (e.g. the output of \`sha256sum model.onnx\`)`,
    );
  }
  return lower;
}

/** The sha256 of the file at `path`, as lowercase hex, read as a stream (any size, constant memory). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Re-checks a file against its pinned digest (the server does this at model load): resolves with the
 * digest when it matches, throws a `DIGEST_MISMATCH` error naming both digests when it does not.
 */
export async function verifySha256File(path: string, expectedSha256: string): Promise<string> {
  return checkSha256(path, await sha256File(path), expectedSha256);
}

/** Checks bytes already in memory (the server hashes exactly the bytes it loads), as {@link verifySha256File}. */
export function verifySha256Bytes(path: string, bytes: Uint8Array, expectedSha256: string): string {
  return checkSha256(path, createHash("sha256").update(bytes).digest("hex"), expectedSha256);
}

function checkSha256(path: string, actual: string, expectedSha256: string): string {
  const expected = normalizeSha256(expectedSha256);
  if (actual !== expected) {
    throw new FetchError(
      FETCH_ERROR_CODES.DIGEST_MISMATCH,
      `${path}: sha256 is ${actual}, but ${expected} is pinned; refusing to load it`,
    );
  }
  return actual;
}
