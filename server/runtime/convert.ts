import type { Tensor as OrtTensor } from "onnxruntime-node";
import * as ort from "onnxruntime-node";
import { type BytesData, bytesFromStrings, type Datatype, stringsOfBytes, type Tensor } from "../tensor";

/** onnxruntime's tensor type name for each V2 datatype. */
export const ORT_TYPE_OF: Readonly<Record<Datatype, OrtTensor.Type>> = {
  BOOL: "bool",
  UINT8: "uint8",
  UINT16: "uint16",
  UINT32: "uint32",
  UINT64: "uint64",
  INT8: "int8",
  INT16: "int16",
  INT32: "int32",
  INT64: "int64",
  FP16: "float16",
  FP32: "float32",
  FP64: "float64",
  BYTES: "string",
};

const DATATYPE_OF_ORT: ReadonlyMap<string, Datatype> = new Map(
  Object.entries(ORT_TYPE_OF).map(([datatype, ortType]) => [ortType, datatype as Datatype]),
);

/** The V2 datatype of an onnxruntime tensor type, or undefined when V2 has none (e.g. bfloat16). */
export function datatypeOfOrtType(type: string): Datatype | undefined {
  return DATATYPE_OF_ORT.get(type);
}

/**
 * A server tensor as an onnxruntime tensor. BYTES elements become JS strings (decoded as UTF-8:
 * onnxruntime-node's string tensors carry text, so invalid UTF-8 bytes are replaced by U+FFFD).
 */
export function toOrtTensor(tensor: Tensor): OrtTensor {
  const dims = [...tensor.shape];
  if (tensor.datatype === "BYTES") {
    return new ort.Tensor("string", stringsOfBytes(tensor.data as BytesData), dims);
  }
  if (tensor.datatype === "FP16") return halfTensor(tensor.data as Uint16Array, dims);
  // Every other numeric datatype's storage (see server/tensor.ts) is exactly what onnxruntime-node takes.
  return new ort.Tensor(ORT_TYPE_OF[tensor.datatype], tensor.data as never, dims);
}

/**
 * An FP16 tensor whose data stays the Uint16Array of half-precision bit patterns, on every Node.
 *
 * Where `globalThis.Float16Array` exists (Node 24 and later), onnxruntime-common's `Tensor` turns a Uint16Array
 * given for "float16" into a Float16Array view, and onnxruntime-node's native binding cannot read a
 * Float16Array (N-API has no float16 typed-array type): the run fails with "not enough space: expected N,
 * got 0". The binding reads only `type`, `dims`, `data` and `location` of a feed, so a feed that carries the
 * Uint16Array itself works on every Node, with or without Float16Array.
 */
function halfTensor(bits: Uint16Array, dims: number[]): OrtTensor {
  const tensor = new ort.Tensor("float16", bits, dims);
  if (tensor.data === bits) return tensor;
  return Object.create(tensor, { data: { value: bits, enumerable: true } }) as OrtTensor;
}

/**
 * Float16Array (Node 24 and later) or Uint16Array half-precision data as the Uint16Array of bit patterns
 * the server stores FP16 in (server/tensor.ts), viewing the same memory.
 */
function halfBits(data: OrtTensor["data"]): Uint16Array {
  if (data instanceof Uint16Array) return data;
  const view = data as unknown as ArrayBufferView & { length: number };
  return new Uint16Array(view.buffer, view.byteOffset, view.length);
}

/** An onnxruntime output as a server tensor named `name`. */
export function fromOrtTensor(name: string, value: OrtTensor): Tensor {
  const datatype = datatypeOfOrtType(value.type);
  if (datatype === undefined) {
    throw new Error(
      `output "${name}" has type ${value.type}, which the Open Inference Protocol cannot carry`,
    );
  }
  const shape = value.dims.map(Number);
  if (datatype === "BYTES") {
    const data = value.data as readonly string[] | BytesData;
    // A worker thread sends BYTES outputs already packed (see worker-session.ts).
    return {
      name,
      datatype,
      shape,
      data: Array.isArray(data) ? bytesFromStrings(data) : (data as BytesData),
    };
  }
  if (datatype === "FP16") return { name, datatype, shape, data: halfBits(value.data) };
  return { name, datatype, shape, data: value.data as Tensor["data"] } as Tensor;
}
