/**
 * The binary tensor extension: a JSON header of `Inference-Header-Content-Length` bytes followed by raw
 * tensor data, little-endian, in input (or output) order. BYTES elements are each a 4-byte little-endian
 * length followed by that many bytes.
 */
import {
  BYTES_PER_ELEMENT,
  type BytesData,
  bytesCount,
  bytesElement,
  type Datatype,
  elementCount,
  outputByteLength,
  type Tensor,
  type TensorData,
  TYPED_ARRAY_OF,
} from "../tensor";
import { badRequest } from "./errors";

/** The HTTP header that gives the JSON header's length in bytes. */
export const INFERENCE_HEADER_CONTENT_LENGTH = "inference-header-content-length";

/** Whether `text` is one or more ASCII digits (a loop: a regular expression test costs more, per request). */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** Splits a body into its JSON header bytes and the binary section after it. */
export function splitBinaryBody(body: Buffer, headerLength: string): { json: Buffer; binary: Buffer } {
  if (!isDigits(headerLength)) {
    throw badRequest(`Inference-Header-Content-Length must be a non-negative integer, got "${headerLength}"`);
  }
  const length = Number(headerLength);
  if (length > body.length) {
    throw badRequest(`Inference-Header-Content-Length (${length}) exceeds the body length (${body.length})`);
  }
  return { json: body.subarray(0, length), binary: body.subarray(length) };
}

/**
 * BYTES elements from length-prefixed bytes: the element bytes are copied once into one buffer (the
 * tensor does not keep the request body alive), their boundaries into one offsets array.
 */
function decodeBinaryBytes(where: string, shape: readonly number[], count: number, bytes: Buffer): BytesData {
  if (4 * count > bytes.length) {
    throw badRequest(
      `${where}: shape [${shape.join(", ")}] needs ${count} BYTES elements, binary_data_size ${bytes.length} holds fewer`,
    );
  }
  // First pass: check every prefix and record where each element's bytes start in the input.
  const offsets = new Uint32Array(count + 1);
  const starts = new Uint32Array(count);
  let offset = 0;
  let element = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length)
      throw badRequest(`${where}: BYTES element ${element} has a truncated length prefix`);
    const length = bytes.readUInt32LE(offset);
    offset += 4;
    if (offset + length > bytes.length)
      throw badRequest(`${where}: BYTES element ${element} runs past its data`);
    if (element === count) break;
    starts[element] = offset;
    offsets[++element] = offsets[element - 1]! + length;
    offset += length;
  }
  if (element !== count || offset !== bytes.length) {
    throw badRequest(
      `${where}: shape [${shape.join(", ")}] needs ${count} BYTES elements, binary data holds a different count`,
    );
  }
  // Second pass: the element bytes, back to back.
  const payload = new Uint8Array(offsets[count]!);
  for (let i = 0; i < count; i++)
    payload.set(bytes.subarray(starts[i]!, starts[i]! + offsets[i + 1]! - offsets[i]!), offsets[i]!);
  return { bytes: payload, offsets };
}

/**
 * Decodes one input's binary bytes. The byte count is checked against the shape before storage is
 * allocated; the bytes are copied, so the tensor does not keep the request body alive.
 */
export function decodeBinaryData(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  bytes: Buffer,
): TensorData {
  const where = `input "${name}"`;
  const count = elementCount(shape);
  if (datatype === "BYTES") return decodeBinaryBytes(where, shape, count, bytes);
  const expectedBytes = count * BYTES_PER_ELEMENT[datatype];
  if (bytes.length !== expectedBytes) {
    throw badRequest(
      `${where}: shape [${shape.join(", ")}] of ${datatype} needs ${expectedBytes} bytes, binary_data_size is ${bytes.length}`,
    );
  }
  const storage = new TYPED_ARRAY_OF[datatype](count);
  new Uint8Array(storage.buffer).set(bytes);
  if (datatype === "BOOL") {
    const bools = storage as Uint8Array;
    for (let i = 0; i < bools.length; i++) {
      if (bools[i]! > 1) throw badRequest(`${where}: BOOL element ${i} is ${bools[i]}, not 0 or 1`);
    }
  }
  return storage;
}

/** A tensor's data as raw little-endian bytes (BYTES with 4-byte length prefixes). */
export function encodeBinaryData(tensor: Tensor): Buffer {
  if (tensor.datatype === "BYTES") {
    const data = tensor.data as BytesData;
    const count = bytesCount(data);
    const out = Buffer.allocUnsafe(outputByteLength([tensor]));
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const element = bytesElement(data, i);
      out.writeUInt32LE(element.length, offset);
      out.set(element, offset + 4);
      offset += 4 + element.length;
    }
    return out;
  }
  const view = tensor.data as Exclude<TensorData, BytesData>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
