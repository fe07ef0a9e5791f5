/**
 * Row arithmetic on tensors along dimension 0: how many rows a request holds, joining the rows of several
 * requests into one batch tensor, and cutting a batch output back into per-request pieces. Works for every
 * V2 datatype (numeric typed arrays are copied once on the way in and viewed without copying on the way out;
 * BYTES element arrays are concatenated and sliced).
 */
import { type Datatype, elementCount, type NumericDatatype, type Tensor, TYPED_ARRAY_OF } from "../tensor";

type NumericArray = Exclude<Tensor["data"], Uint8Array[]>;

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
  if (first.datatype === "BYTES") {
    const data: Uint8Array[] = [];
    for (const part of parts) for (const element of part.data as Uint8Array[]) data.push(element);
    return { name: first.name, datatype: "BYTES", shape, data };
  }
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
      ? (tensor.data as Uint8Array[]).slice(start, end)
      : (tensor.data as NumericArray).subarray(start, end);
  return { name: tensor.name, datatype: tensor.datatype as Datatype, shape, data } as Tensor;
}
