/**
 * The server's in-memory tensor: what the protocol codec produces from a request, what the batcher
 * concatenates and splits, and what the runtime hands to onnxruntime. Shared by every server module.
 */

/** Open Inference Protocol (KServe V2) tensor datatypes. */
export const DATATYPES = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;

export type Datatype = (typeof DATATYPES)[number];

/**
 * Element storage per datatype:
 * BOOL -> Uint8Array (0/1), FP16 -> Uint16Array (IEEE 754 half bits), INT64/UINT64 -> BigInt64Array /
 * BigUint64Array, BYTES -> one Uint8Array per element; every other type its natural typed array.
 */
export interface TensorDataByType {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BYTES: Uint8Array[];
}

export type NumericDatatype = Exclude<Datatype, "BYTES">;
export type TensorData = TensorDataByType[Datatype];

/** A named tensor with its V2 datatype, concrete shape and flat row-major data. */
export interface Tensor<D extends Datatype = Datatype> {
  readonly name: string;
  readonly datatype: D;
  readonly shape: readonly number[];
  readonly data: TensorDataByType[D];
}

type TypedArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** The typed array class that stores each numeric datatype. */
export const TYPED_ARRAY_OF: Readonly<Record<NumericDatatype, TypedArrayConstructor>> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

/** Bytes per element of each numeric datatype (BYTES elements are variable-length). */
export const BYTES_PER_ELEMENT: Readonly<Record<NumericDatatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
};

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && (DATATYPES as readonly string[]).includes(value);
}

/** Number of elements a shape holds (1 for a scalar shape `[]`). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

/** Bytes the tensors' data hold: raw element bytes, and for BYTES each element's bytes plus a 4-byte length. */
export function outputByteLength(tensors: readonly Tensor[]): number {
  let bytes = 0;
  for (const tensor of tensors) {
    if (tensor.datatype !== "BYTES") bytes += (tensor.data as ArrayBufferView).byteLength;
    else for (const element of tensor.data as Uint8Array[]) bytes += 4 + element.length;
  }
  return bytes;
}
