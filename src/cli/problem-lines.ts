/**
 * Every problem of a failed `onnxfleet render` or `plan`, one line each with its error code, so a file with
 * several invalid constructs and dangling references is reported whole: a ValidationError gives a line per
 * problem (its problem's own code when it has one, e.g. `ONNXFLEET_POOL_GPUS_EXCEEDED`), a TopologyError the
 * lines of each of its errors, any other OnnxfleetError its message.
 */
import { type ErrorCode, type OnnxfleetError, ValidationError } from "../errors";
import { TopologyError } from "../render";

/** One problem and its stable code. */
export interface ProblemLine {
  readonly code: ErrorCode;
  readonly text: string;
}

/** The problems of `error`, in the order found. */
export function problemLines(error: OnnxfleetError): ProblemLine[] {
  if (error instanceof TopologyError) return error.errors.flatMap(problemLines);
  if (error instanceof ValidationError)
    return error.problems.map((problem) => ({
      code: problem.code ?? error.code,
      text: `${error.construct} "${error.constructName}": ${problem.path} ${problem.reason}`,
    }));
  return [{ code: error.code, text: error.message }];
}

/** `lines` as the CLI prints them: one per line, each ending with its code in brackets. */
export function formatProblemLines(lines: readonly ProblemLine[]): string {
  const body = lines.map((line) => `${line.text} [${line.code}]`);
  return lines.length === 1
    ? `${body[0]}\n`
    : `${lines.length} problems:\n${body.map((l) => `  ${l}\n`).join("")}`;
}
