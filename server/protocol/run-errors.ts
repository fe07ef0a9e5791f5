/**
 * What a failed model run answers, mapped as KServe's `errors.py` does: what the client sent is 400
 * (`InvalidInput`), anything else that fails while running the model is 500 (`InferenceError`). The
 * message keeps what helps the caller and drops what only describes the server: onnxruntime's source
 * file, line and C++ function, and the model repository's absolute path.
 */
import { ProtocolError } from "./errors";

/**
 * onnxruntime's own checks of the feeds before it runs anything (its INVALID_ARGUMENT cases): the client's
 * inputs do not fit the model. The app validates requests against the signature first, so these are rare.
 */
const CLIENT_INPUT_FAILURES = [
  /^Got invalid dimensions for input/,
  /^Unexpected input data type/,
  /^Invalid rank for input/,
  /^Invalid input name/,
  /^Missing Input/i,
] as const;

/** `/onnxruntime_src/.../element_wise_ops.h:563 void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) ` */
const SOURCE_LOCATION =
  /(?:\/[^\s:'"]+)+\.(?:cc|cpp|cxx|c|h|hpp)(?::\d+)?(?:\s+[^\s()]*(?:\s[^\s()]+)*?\([^()]*\)(?:\s*const)?)?\s*/g;

/** Removes onnxruntime source locations and the given directories (the model repository's) from `message`. */
export function sanitizeRunMessage(message: string, hiddenDirectories: readonly string[] = []): string {
  let clean = message.replace(SOURCE_LOCATION, "");
  for (const directory of hiddenDirectories) {
    const prefix = directory.replace(/\/+$/, "");
    if (prefix.length > 1) clean = clean.split(prefix).join("<model repository>");
  }
  return clean.replace(/\s+/g, " ").trim();
}

/**
 * The answer to a run of `label` (`model "m" version 1`) that failed with `error`: a {@link ProtocolError}
 * passes as it is (the batcher's 400 and 503), onnxruntime's input checks are 400, anything else 500.
 */
export function runFailure(
  label: string,
  error: unknown,
  hiddenDirectories: readonly string[] = [],
): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const message = sanitizeRunMessage(String((error as Error)?.message ?? error), hiddenDirectories);
  if (CLIENT_INPUT_FAILURES.some((pattern) => pattern.test(message))) {
    return new ProtocolError(400, `${label}: the inputs do not fit the model: ${message}`);
  }
  return new ProtocolError(500, `${label} failed while running: ${message}`);
}
