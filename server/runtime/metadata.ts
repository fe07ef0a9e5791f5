import type { Datatype } from "../tensor";

/** One model input or output in Open Inference Protocol terms. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  /** Dimensions; -1 marks a dynamic (symbolic or unknown) dimension. */
  readonly shape: readonly number[];
}

/** A loaded model's signature. */
export interface ModelSignature {
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}
