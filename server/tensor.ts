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
 * BYTES tensor data, compact: every element's bytes back to back in `bytes`, element i at
 * `bytes[offsets[i], offsets[i + 1])` (so `offsets` has one entry more than there are elements). Two
 * buffers whatever the element count: a million short strings cost their bytes plus 4 bytes each, not a
 * million objects, and cross to a worker thread by transfer.
 */
export interface BytesData {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
}

/**
 * Element storage per datatype:
 * BOOL -> Uint8Array (0/1), FP16 -> Uint16Array (IEEE 754 half bits), INT64/UINT64 -> BigInt64Array /
 * BigUint64Array, BYTES -> {@link BytesData}; every other type its natural typed array.
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
  BYTES: BytesData;
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
    else {
      const { offsets } = tensor.data as BytesData;
      bytes += 4 * (offsets.length - 1) + offsets[offsets.length - 1]! - offsets[0]!;
    }
  }
  return bytes;
}

/** Elements of BYTES data. */
export function bytesCount(data: BytesData): number {
  return data.offsets.length - 1;
}

/** Element `index` of BYTES data (a view, no copy). */
export function bytesElement(data: BytesData, index: number): Uint8Array {
  return data.bytes.subarray(data.offsets[index]!, data.offsets[index + 1]!);
}

/** Every element of BYTES data, as views. */
export function bytesElements(data: BytesData): Uint8Array[] {
  return Array.from({ length: bytesCount(data) }, (_, index) => bytesElement(data, index));
}

/** BYTES data holding `elements` (copied into one buffer). */
export function bytesFromElements(elements: readonly Uint8Array[]): BytesData {
  const offsets = new Uint32Array(elements.length + 1);
  for (let i = 0; i < elements.length; i++) offsets[i + 1] = offsets[i]! + elements[i]!.length;
  const bytes = new Uint8Array(offsets[elements.length]!);
  for (let i = 0; i < elements.length; i++) bytes.set(elements[i]!, offsets[i]!);
  return { bytes, offsets };
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** BYTES data holding each string as UTF-8. */
export function bytesFromStrings(strings: readonly string[]): BytesData {
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    total += Buffer.byteLength(strings[i]!, "utf8");
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < strings.length; i++) {
    utf8Encoder.encodeInto(strings[i]!, bytes.subarray(offsets[i]!, offsets[i + 1]!));
  }
  return { bytes, offsets };
}

/** Each BYTES element decoded as UTF-8 (invalid bytes become U+FFFD). */
export function stringsOfBytes(data: BytesData): string[] {
  const count = bytesCount(data);
  const strings: string[] = new Array(count);
  for (let i = 0; i < count; i++) strings[i] = utf8Decoder.decode(bytesElement(data, i));
  return strings;
}

/** `count` empty BYTES elements. */
export function emptyBytes(count: number): BytesData {
  return { bytes: new Uint8Array(0), offsets: new Uint32Array(count + 1) };
}
