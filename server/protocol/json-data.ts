/**
 * Tensor data as JSON: decoding a request's `data` (flat or nested arrays) into typed storage, and
 * writing a response's data as JSON text.
 *
 * Value forms: BOOL as true/false; integers as JSON numbers in the datatype's range; INT64/UINT64 as
 * numbers up to 2^53 in magnitude, or as decimal strings ("9007199254740993") for exact larger values
 * (JSON numbers beyond 2^53 are refused because they have already lost precision); FP16/FP32/FP64 as
 * numbers, or the strings "NaN", "Infinity", "-Infinity"; BYTES as strings (UTF-8).
 */
import {
  type BytesData,
  bytesFromStrings,
  type Datatype,
  elementCount,
  type NumericDatatype,
  stringsOfBytes,
  type Tensor,
  type TensorData,
  TYPED_ARRAY_OF,
} from "../tensor";
import { badRequest } from "./errors";
import { fromHalfBits, toHalfBits } from "./fp16";
import { MAX_RANK } from "./request";

const INTEGER_RANGE: Partial<Record<Datatype, readonly [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
};

/** Counts the leaf values of nested arrays, refusing nesting deeper than {@link MAX_RANK}. */
function countLeaves(data: unknown, where: string): number {
  if (!Array.isArray(data)) return 1;
  let count = 0;
  const stack: { array: unknown[]; depth: number }[] = [{ array: data, depth: 1 }];
  while (stack.length > 0) {
    const { array, depth } = stack.pop()!;
    if (depth > MAX_RANK) throw badRequest(`${where}: "data" is nested deeper than ${MAX_RANK} levels`);
    for (const item of array) {
      if (Array.isArray(item)) stack.push({ array: item, depth: depth + 1 });
      else count++;
    }
  }
  return count;
}

/** Visits leaf values in row-major order. */
function forEachLeaf(data: unknown, visit: (value: unknown, index: number) => void): void {
  let index = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else visit(value, index++);
  };
  walk(data);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

const FLOAT_WORDS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

function toFloat(value: unknown, where: string, index: number): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value in FLOAT_WORDS) return FLOAT_WORDS[value]!;
  throw badRequest(`${where}: data[${index}] must be a number, got ${describe(value)}`);
}

function toBigInt(value: unknown, datatype: "INT64" | "UINT64", where: string, index: number): bigint {
  let result: bigint;
  if (typeof value === "number") {
    if (!Number.isInteger(value))
      throw badRequest(`${where}: data[${index}] must be an integer, got ${value}`);
    if (!Number.isSafeInteger(value)) {
      throw badRequest(
        `${where}: data[${index}] (${value}) is beyond 2^53 and may have lost precision as a JSON number; ` +
          `send it as a decimal string or use the binary tensor extension`,
      );
    }
    result = BigInt(value);
  } else if (typeof value === "string" && /^-?\d{1,20}$/.test(value)) {
    result = BigInt(value);
  } else {
    throw badRequest(`${where}: data[${index}] must be an integer, got ${describe(value)}`);
  }
  const [min, max] = datatype === "INT64" ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  if (result < min || result > max)
    throw badRequest(`${where}: data[${index}] (${result}) is out of ${datatype} range`);
  return result;
}

/**
 * The common case, fast: a flat array of plain numbers (no nesting, no "NaN" words). Undefined when
 * anything else is found, for the general path to decode or refuse with its message.
 */
function flatFloats(
  datatype: "FP32" | "FP64",
  data: readonly unknown[],
): Float32Array | Float64Array | undefined {
  const floats = datatype === "FP32" ? new Float32Array(data.length) : new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value !== "number") return undefined;
    floats[i] = value;
  }
  return floats;
}

/**
 * Decodes the JSON `data` of one input declared with `datatype` and `shape`. The element count is
 * checked against the shape before any storage is allocated.
 */
export function decodeJsonData(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  data: unknown,
): TensorData {
  const where = `input "${name}"`;
  const expected = elementCount(shape);
  if (data instanceof Float64Array) {
    // A number array the body parser read itself (json-numbers.ts): the same doubles JSON.parse gives.
    if (datatype === "FP64" && data.length === expected) {
      return data.byteLength === data.buffer.byteLength ? data : data.slice();
    }
    if (datatype === "FP32" && data.length === expected) return new Float32Array(data);
    return decodeJsonData(name, datatype, shape, Array.from(data));
  }
  if ((datatype === "FP32" || datatype === "FP64") && Array.isArray(data) && data.length === expected) {
    const flat = flatFloats(datatype, data);
    if (flat !== undefined) return flat;
  }
  const count = countLeaves(data, where);
  if (count !== expected) {
    throw badRequest(
      `${where}: shape [${shape.join(", ")}] needs ${expected} elements, "data" holds ${count}`,
    );
  }
  if (datatype === "BYTES") {
    const strings: string[] = new Array(count);
    forEachLeaf(data, (value, index) => {
      if (typeof value !== "string")
        throw badRequest(`${where}: data[${index}] must be a string, got ${describe(value)}`);
      strings[index] = value;
    });
    return bytesFromStrings(strings);
  }
  const storage = new TYPED_ARRAY_OF[datatype](count);
  if (datatype === "BOOL") {
    const bools = storage as Uint8Array;
    forEachLeaf(data, (value, index) => {
      if (typeof value !== "boolean")
        throw badRequest(`${where}: data[${index}] must be true or false, got ${describe(value)}`);
      bools[index] = value ? 1 : 0;
    });
  } else if (datatype === "INT64" || datatype === "UINT64") {
    const bigints = storage as BigInt64Array | BigUint64Array;
    forEachLeaf(data, (value, index) => {
      bigints[index] = toBigInt(value, datatype, where, index);
    });
  } else if (datatype === "FP16") {
    const halves = storage as Uint16Array;
    forEachLeaf(data, (value, index) => {
      halves[index] = toHalfBits(toFloat(value, where, index));
    });
  } else if (datatype === "FP32" || datatype === "FP64") {
    const floats = storage as Float32Array | Float64Array;
    forEachLeaf(data, (value, index) => {
      floats[index] = toFloat(value, where, index);
    });
  } else {
    const [min, max] = INTEGER_RANGE[datatype]!;
    const integers = storage as Exclude<TensorData, BytesData | BigInt64Array | BigUint64Array>;
    forEachLeaf(data, (value, index) => {
      if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw badRequest(
          `${where}: data[${index}] must be a ${datatype} integer in [${min}, ${max}], got ${describe(value)}`,
        );
      }
      integers[index] = value;
    });
  }
  return storage;
}

function floatText(value: number): string {
  if (Object.is(value, -0)) return "-0";
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * The hot path of every FP32 response, in a function of its own so V8 optimises it for float arrays
 * alone. When every value is finite and none is -0, the typed array's own `join` writes exactly the JSON
 * numbers (a sixth faster than parts + join, more when V8 has not seen the values before); otherwise
 * each value goes through {@link floatText}.
 */
function floatsJson(floats: Float32Array | Float64Array): string {
  let plain = true;
  for (let i = 0; i < floats.length; i++) {
    const value = floats[i]!;
    // NaN and ±Infinity fail the first test; -0 (which join would write as 0) the second.
    if (value - value !== 0 || (value === 0 && 1 / value < 0)) {
      plain = false;
      break;
    }
  }
  if (plain) return `[${floats.join(",")}]`;
  const parts: string[] = new Array(floats.length);
  for (let i = 0; i < floats.length; i++) parts[i] = floatText(floats[i]!);
  return `[${parts.join(",")}]`;
}

/**
 * A tensor's data as a flat JSON array text. INT64/UINT64 values are written as exact JSON numbers
 * (clients parsing JSON into doubles lose precision beyond 2^53; the binary extension avoids that).
 */
export function encodeJsonData(tensor: Tensor): string {
  const { datatype, data } = tensor;
  if (datatype === "BYTES") return JSON.stringify(stringsOfBytes(data as BytesData));
  if (datatype === "FP32" || datatype === "FP64") {
    return floatsJson(data as Float32Array | Float64Array);
  }
  const parts: string[] = new Array((data as ArrayLike<unknown>).length);
  const numeric = data as Exclude<TensorData, BytesData>;
  const kind = datatype as NumericDatatype;
  for (let i = 0; i < numeric.length; i++) {
    const value = numeric[i]!;
    if (kind === "BOOL") parts[i] = value ? "true" : "false";
    else if (kind === "FP16") parts[i] = floatText(fromHalfBits(value as number));
    else parts[i] = String(value);
  }
  return `[${parts.join(",")}]`;
}
