/** Whether a model can be batched at all: decided once per model version, from its signature. */

/** The part of a model signature that decides batchability (matches the runtime's `ModelSignature`). */
export interface BatchableSignature {
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

export type Batchability =
  | { readonly batchable: true }
  | { readonly batchable: false; readonly reason: string };

/**
 * A model is batchable when every input and every output has a dynamic first dimension (-1): rows can then
 * be joined along dim 0 on the way in and cut back apart on the way out. Otherwise the reason names the
 * first tensor that prevents it.
 */
export function batchability(signature: BatchableSignature): Batchability {
  if (signature.inputs.length === 0) return { batchable: false, reason: "it has no inputs" };
  for (const [direction, tensors] of [
    ["input", signature.inputs],
    ["output", signature.outputs],
  ] as const) {
    for (const tensor of tensors) {
      const first = tensor.shape[0];
      if (first !== -1) {
        const shape = `[${tensor.shape.join(", ")}]`;
        return {
          batchable: false,
          reason: `${direction} "${tensor.name}" has shape ${shape}, whose first dimension is not dynamic`,
        };
      }
    }
  }
  return { batchable: true };
}
