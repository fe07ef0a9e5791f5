import type { ModelSignature } from "../runtime/metadata";
import { elementCount, type Tensor, TYPED_ARRAY_OF } from "../tensor";

/** A valid input for every model input: zeros (empty strings for BYTES), dynamic dimensions set to 1. */
export function warmupInputs(signature: ModelSignature): Tensor[] {
  return signature.inputs.map((input) => {
    const shape = input.shape.map((dim) => (dim < 0 ? 1 : dim));
    const count = elementCount(shape);
    const data =
      input.datatype === "BYTES"
        ? Array.from({ length: count }, () => new Uint8Array(0))
        : new TYPED_ARRAY_OF[input.datatype](count);
    return { name: input.name, datatype: input.datatype, shape, data } as Tensor;
  });
}
