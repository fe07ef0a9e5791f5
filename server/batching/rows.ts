/**
 * Row arithmetic on tensors along dimension 0: how many rows a request holds, joining the rows of several
 * requests into one batch tensor, and cutting a batch output back into per-request pieces. Works for every
 * V2 datatype (numeric typed arrays are copied once on the way in and viewed without copying on the way out;
 * BYTES bytes and offsets are concatenated on the way in, and sliced as views with rebased offsets on the way out).
 */
import {
  type BytesData,
  type Datatype,
  elementCount,
  type NumericDatatype,
  type Tensor,
  TYPED_ARRAY_OF,
} from "../tensor";

type NumericArray = Exclude<Tensor["data"], BytesData>;

/** Elements in one row of a tensor of `shape` (the product of every dim after the first). */
export function rowElements(shape: readonly number[]): number {
  return elementCount(shape.slice(1));
}

/**
 * Concatenates same-named tensors of several requests along dim 0. Every part must share the datatype
 * and the dims after the first (the batcher only groups such requests).
 */
export function concatRows(parts: readonly Tensor[], totalRows: number): Tensor {
  const first = parts[0]!;
  const shape = [totalRows, ...first.shape.slice(1)];
  if (first.datatype === "BYTES")
    return { name: first.name, datatype: "BYTES", shape, data: concatBytes(parts) };
  const ArrayType = TYPED_ARRAY_OF[first.datatype as NumericDatatype];
  const data = new ArrayType(totalRows * rowElements(first.shape)) as NumericArray;
  let offset = 0;
  for (const part of parts) {
    const source = part.data as NumericArray;
    (data as Float32Array).set(source as Float32Array, offset);
    offset += source.length;
  }
  return { name: first.name, datatype: first.datatype, shape, data } as Tensor;
}

/**
 * The rows `[startRow, startRow + rows)` of a batch output, as a tensor of its own. Numeric data is a view
 * on the batch output (no copy); BYTES elements are sliced.
 */
export function sliceRows(tensor: Tensor, startRow: number, rows: number): Tensor {
  const perRow = rowElements(tensor.shape);
  const shape = [rows, ...tensor.shape.slice(1)];
  const start = startRow * perRow;
  const end = start + rows * perRow;
  const data =
    tensor.datatype === "BYTES"
      ? sliceBytes(tensor.data as BytesData, start, end)
      : (tensor.data as NumericArray).subarray(start, end);
  return { name: tensor.name, datatype: tensor.datatype as Datatype, shape, data } as Tensor;
}

function concatBytes(parts: readonly Tensor[]): BytesData {
  const all = parts.map((part) => part.data as BytesData);
  const count = all.reduce((sum, data) => sum + data.offsets.length - 1, 0);
  const offsets = new Uint32Array(count + 1);
  const bytes = new Uint8Array(
    all.reduce((sum, data) => sum + data.offsets[data.offsets.length - 1]! - data.offsets[0]!, 0),
  );
  let element = 0;
  for (const data of all) {
    const base = data.offsets[0]!;
    const end = data.offsets[data.offsets.length - 1]!;
    bytes.set(data.bytes.subarray(base, end), offsets[element]!);
    const shift = offsets[element]! - base;
    for (let i = 1; i < data.offsets.length; i++) offsets[element + i] = data.offsets[i]! + shift;
    element += data.offsets.length - 1;
  }
  return { bytes, offsets };
}

/** Elements `[start, end)` of BYTES data: a view on the same bytes, offsets rebased to start at 0. */
function sliceBytes(data: BytesData, start: number, end: number): BytesData {
  const base = data.offsets[start]!;
  const offsets = data.offsets.slice(start, end + 1);
  for (let i = 0; i < offsets.length; i++) offsets[i]! -= base;
  return { bytes: data.bytes.subarray(base, data.offsets[end]!), offsets };
}
