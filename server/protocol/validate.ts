/** Checks a request's declared inputs and requested outputs against the model's signature. */
import type { ModelSignature, TensorMetadata } from "../runtime/metadata";
import { badRequest } from "./errors";
import type { InferRequestHeader } from "./request";

function showShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Up to this many inputs (or outputs) a name is found by a scan; beyond, by a map built once per signature. */
const SCANNED_NAMES = 16;
const indexesByName = new WeakMap<readonly TensorMetadata[], ReadonlyMap<string, number>>();

/** The index of the tensor named `name` in `tensors` (a signature's inputs or outputs), or -1. */
function indexOfName(tensors: readonly TensorMetadata[], name: string): number {
  if (tensors.length <= SCANNED_NAMES) {
    for (let i = 0; i < tensors.length; i++) if (tensors[i]!.name === name) return i;
    return -1;
  }
  let indexes = indexesByName.get(tensors);
  if (indexes === undefined) {
    indexes = new Map(tensors.map((tensor, index) => [tensor.name, index]));
    indexesByName.set(tensors, indexes);
  }
  return indexes.get(name) ?? -1;
}

/**
 * Throws 400 naming the input or output at fault and what the model expects. No maps, sets or closures
 * per request: a model has few inputs and outputs, and this runs on every request (docs/benchmark.md).
 */
export function validateAgainstSignature(request: InferRequestHeader, signature: ModelSignature): void {
  const given = new Uint8Array(signature.inputs.length);
  for (const input of request.inputs) {
    const index = indexOfName(signature.inputs, input.name);
    if (index < 0) {
      const names = signature.inputs.map((i) => `"${i.name}"`).join(", ");
      throw badRequest(`unexpected input "${input.name}"; the model's inputs are ${names}`);
    }
    if (given[index] === 1) throw badRequest(`input "${input.name}" is given more than once`);
    given[index] = 1;
    const expected = signature.inputs[index]!;
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
    for (let axis = 0; axis < expected.shape.length; axis++) {
      const dim = expected.shape[axis]!;
      if (dim >= 0 && input.shape[axis] !== dim) {
        throw badRequest(
          `input "${input.name}": shape ${showShape(input.shape)} has ${input.shape[axis]} at axis ${axis}, ` +
            `the model expects ${showShape(expected.shape)} (-1 = any size)`,
        );
      }
    }
  }
  if (given.indexOf(0) >= 0) {
    const missing = signature.inputs
      .filter((_, index) => given[index] === 0)
      .map((input) => `"${input.name}"`);
    throw badRequest(`missing input(s) ${missing.join(", ")}`);
  }
  if (request.outputs !== undefined) {
    const asked = new Uint8Array(signature.outputs.length);
    for (const output of request.outputs) {
      const index = indexOfName(signature.outputs, output.name);
      if (index < 0) {
        const names = signature.outputs.map((o) => `"${o.name}"`).join(", ");
        throw badRequest(`unknown output "${output.name}"; the model's outputs are ${names}`);
      }
      if (asked[index] === 1) throw badRequest(`output "${output.name}" is requested more than once`);
      asked[index] = 1;
    }
  }
}
