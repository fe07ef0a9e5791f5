import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { invalidRequest } from "./errors";

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
