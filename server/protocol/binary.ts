/**
 * The binary tensor extension: a JSON header of `Inference-Header-Content-Length` bytes followed by raw
 * tensor data, little-endian, in input (or output) order. BYTES elements are each a 4-byte little-endian
 * length followed by that many bytes.
 */
import {
  BYTES_PER_ELEMENT,
  type Datatype,
  elementCount,
  type Tensor,
  type TensorData,
  TYPED_ARRAY_OF,
} from "../tensor";
import { badRequest } from "./errors";

/** The HTTP header that gives the JSON header's length in bytes. */
export const INFERENCE_HEADER_CONTENT_LENGTH = "inference-header-content-length";

/** Splits a body into its JSON header bytes and the binary section after it. */
export function splitBinaryBody(body: Buffer, headerLength: string): { json: Buffer; binary: Buffer } {
  if (!/^\d+$/.test(headerLength)) {
    throw badRequest(`Inference-Header-Content-Length must be a non-negative integer, got "${headerLength}"`);
  }
  const length = Number(headerLength);
  if (length > body.length) {
    throw badRequest(`Inference-Header-Content-Length (${length}) exceeds the body length (${body.length})`);
  }
  return { json: body.subarray(0, length), binary: body.subarray(length) };
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
  if (datatype === "BYTES") {
    const elements: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (offset + 4 > bytes.length)
        throw badRequest(`${where}: BYTES element ${elements.length} has a truncated length prefix`);
      const length = bytes.readUInt32LE(offset);
      offset += 4;
      if (offset + length > bytes.length)
        throw badRequest(`${where}: BYTES element ${elements.length} runs past its data`);
      if (elements.length === count) break;
      elements.push(new Uint8Array(bytes.subarray(offset, offset + length)));
      offset += length;
    }
    if (elements.length !== count || offset !== bytes.length) {
      throw badRequest(
        `${where}: shape [${shape.join(", ")}] needs ${count} BYTES elements, binary data holds a different count`,
      );
    }
    return elements;
  }
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
    const elements = tensor.data as Uint8Array[];
    const total = elements.reduce((sum, element) => sum + 4 + element.length, 0);
    const out = Buffer.allocUnsafe(total);
    let offset = 0;
    for (const element of elements) {
      out.writeUInt32LE(element.length, offset);
      out.set(element, offset + 4);
      offset += 4 + element.length;
    }
    return out;
  }
  const view = tensor.data as Exclude<TensorData, Uint8Array[]>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
