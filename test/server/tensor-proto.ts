/** Reads ONNX TensorProto files (the test data sets of ONNX conformance suites) into plain tensors. */
import { readFileSync } from "node:fs";
import { onnx } from "onnx-proto";
import type { Datatype, Tensor } from "../../server/tensor";
import {
  BYTES_PER_ELEMENT,
  type BytesData,
  bytesElements,
  bytesFromElements,
  stringsOfBytes,
  TYPED_ARRAY_OF,
} from "../../server/tensor";
import { ONNX_ELEM_TYPE } from "../../server/testing/onnx-builder";

const DATATYPE_OF_ELEM = new Map(
  Object.entries(ONNX_ELEM_TYPE).map(([datatype, elem]) => [elem, datatype as Datatype]),
);

type LongLike = number | { toString(): string };

/** Decodes a TensorProto file; throws when the element type has no V2 datatype. */
export function readTensorProto(path: string): Tensor {
  const proto = onnx.TensorProto.decode(readFileSync(path));
  const datatype = DATATYPE_OF_ELEM.get(proto.dataType);
  if (datatype === undefined) throw new Error(`${path}: element type ${proto.dataType} has no V2 datatype`);
  const shape = proto.dims.map((dim) => Number(dim.toString()));
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (datatype === "BYTES")
    return { name: proto.name, datatype, shape, data: bytesFromElements(proto.stringData) };
  const storage = new TYPED_ARRAY_OF[datatype](count);
  if (proto.rawData && proto.rawData.length > 0) {
    if (proto.rawData.length !== count * BYTES_PER_ELEMENT[datatype])
      throw new Error(`${path}: raw_data size mismatch`);
    new Uint8Array(storage.buffer).set(proto.rawData);
  } else {
    const source: ArrayLike<number | LongLike> =
      datatype === "FP32"
        ? proto.floatData
        : datatype === "FP64"
          ? proto.doubleData
          : datatype === "INT64"
            ? proto.int64Data
            : datatype === "UINT64" || datatype === "UINT32"
              ? proto.uint64Data
              : proto.int32Data;
    if (source.length !== count) throw new Error(`${path}: ${source.length} values for ${count} elements`);
    for (let i = 0; i < count; i++) {
      const value = source[i]!;
      if (storage instanceof BigInt64Array || storage instanceof BigUint64Array)
        storage[i] = BigInt(value.toString());
      else storage[i] = Number(value.toString());
    }
  }
  return { name: proto.name, datatype, shape, data: storage } as Tensor;
}

/** A tensor's data as little-endian bytes for the binary extension (BYTES with 4-byte length prefixes). */
export function tensorBytes(tensor: Tensor): Buffer {
  if (tensor.datatype === "BYTES") {
    return Buffer.concat(
      bytesElements(tensor.data as BytesData).flatMap((element) => {
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32LE(element.length);
        return [prefix, Buffer.from(element)];
      }),
    );
  }
  const view = tensor.data as Exclude<Tensor["data"], BytesData>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** A tensor's data as V2 JSON values: INT64/UINT64 as decimal strings (exact), FP16 as numbers, BYTES as text. */
export function tensorJson(tensor: Tensor): unknown[] {
  if (tensor.datatype === "BYTES") return stringsOfBytes(tensor.data as BytesData);
  if (tensor.datatype === "BOOL") return Array.from(tensor.data as Uint8Array, (value) => value === 1);
  if (tensor.datatype === "FP16") throw new Error("FP16 JSON is covered by datatypes.test.ts");
  return Array.from(tensor.data as ArrayLike<number | bigint>, (value) =>
    typeof value === "bigint"
      ? value.toString()
      : Number.isNaN(value)
        ? "NaN"
        : Number.isFinite(value)
          ? value
          : value > 0
            ? "Infinity"
            : "-Infinity",
  );
}

/** Reads a binary-extension output back as numbers, using the expected tensor's storage type. */
export function numbersFromBytes(like: Tensor, bytes: Buffer): number[] {
  const copy = new Uint8Array(bytes).buffer;
  const view = new (like.data.constructor as new (buffer: ArrayBuffer) => ArrayLike<number | bigint>)(copy);
  return Array.from(view, Number);
}
