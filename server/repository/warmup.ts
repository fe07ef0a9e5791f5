import { decodeInferRequest } from "../protocol/infer";
import type { ModelSignature } from "../runtime/metadata";
import { elementCount, emptyBytes, type Tensor, TYPED_ARRAY_OF } from "../tensor";
import type { ModelConfig } from "./model-config";

/** The warm-up inputs of a version: config.json's `warmup` request when given, else synthesised. */
export function warmupRequest(config: ModelConfig, signature: ModelSignature): Tensor[] {
  if (config.warmup === undefined) return warmupInputs(signature);
  try {
    return decodeInferRequest({ header: config.warmup, binary: undefined }, signature).inputs;
  } catch (error) {
    throw new Error(`config.json warmup does not fit the model: ${(error as Error).message}`);
  }
}

/** A valid input for every model input: zeros (empty strings for BYTES), dynamic dimensions set to 1. */
export function warmupInputs(signature: ModelSignature): Tensor[] {
  return signature.inputs.map((input) => {
    const shape = input.shape.map((dim) => (dim < 0 ? 1 : dim));
    const count = elementCount(shape);
    const data = input.datatype === "BYTES" ? emptyBytes(count) : new TYPED_ARRAY_OF[input.datatype](count);
    return { name: input.name, datatype: input.datatype, shape, data } as Tensor;
  });
}
