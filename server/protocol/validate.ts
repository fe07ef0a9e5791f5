/** Checks a request's declared inputs and requested outputs against the model's signature. */
import type { ModelSignature } from "../runtime/metadata";
import { badRequest } from "./errors";
import type { InferRequestHeader } from "./request";

function showShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Throws 400 naming the input or output at fault and what the model expects. */
export function validateAgainstSignature(request: InferRequestHeader, signature: ModelSignature): void {
  const expectedByName = new Map(signature.inputs.map((input) => [input.name, input]));
  const seen = new Set<string>();
  for (const input of request.inputs) {
    const expected = expectedByName.get(input.name);
    if (expected === undefined) {
      const names = signature.inputs.map((i) => `"${i.name}"`).join(", ");
      throw badRequest(`unexpected input "${input.name}"; the model's inputs are ${names}`);
    }
    if (seen.has(input.name)) throw badRequest(`input "${input.name}" is given more than once`);
    seen.add(input.name);
    if (input.datatype !== expected.datatype) {
      throw badRequest(
        `input "${input.name}": datatype ${input.datatype} given, the model expects ${expected.datatype}`,
      );
    }
    if (input.shape.length !== expected.shape.length) {
      throw badRequest(
        `input "${input.name}": shape ${showShape(input.shape)} has rank ${input.shape.length}, ` +
          `the model expects rank ${expected.shape.length} ${showShape(expected.shape)} (-1 = any size)`,
      );
    }
    expected.shape.forEach((dim, axis) => {
      if (dim >= 0 && input.shape[axis] !== dim) {
        throw badRequest(
          `input "${input.name}": shape ${showShape(input.shape)} has ${input.shape[axis]} at axis ${axis}, ` +
            `the model expects ${showShape(expected.shape)} (-1 = any size)`,
        );
      }
    });
  }
  const missing = signature.inputs.filter((input) => !seen.has(input.name)).map((input) => `"${input.name}"`);
  if (missing.length > 0) throw badRequest(`missing input(s) ${missing.join(", ")}`);
  if (request.outputs !== undefined) {
    const outputNames = new Set(signature.outputs.map((output) => output.name));
    const asked = new Set<string>();
    for (const output of request.outputs) {
      if (!outputNames.has(output.name)) {
        const names = [...outputNames].map((name) => `"${name}"`).join(", ");
        throw badRequest(`unknown output "${output.name}"; the model's outputs are ${names}`);
      }
      if (asked.has(output.name)) throw badRequest(`output "${output.name}" is requested more than once`);
      asked.add(output.name);
    }
  }
}
