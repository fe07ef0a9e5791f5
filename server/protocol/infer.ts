/**
 * From an HTTP body to validated tensors, and from output tensors to an HTTP response, for
 * `POST /v2/models/{m}[/versions/{v}]/infer` (JSON and binary tensor extension).
 */
import type { ModelSignature } from "../runtime/metadata";
import type { Tensor } from "../tensor";
import { decodeBinaryData, encodeBinaryData } from "./binary";
import { badRequest } from "./errors";
import { decodeJsonData, encodeJsonData } from "./json-data";
import { parseInferRequestHeader } from "./request";
import { validateAgainstSignature } from "./validate";

/** A parsed request body: the JSON header and, for the binary extension, the bytes after it. */
export interface InferBody {
  readonly header: unknown;
  readonly binary: Buffer | undefined;
}

/** A decoded, validated inference request. */
export interface DecodedInferRequest {
  readonly id: string | undefined;
  readonly inputs: Tensor[];
  /** Outputs to return, in response order, and whether each travels as binary data. */
  readonly outputs: readonly { readonly name: string; readonly binary: boolean }[];
}

/** Validates the request against the signature, then decodes every input's data. */
export function decodeInferRequest(body: InferBody, signature: ModelSignature): DecodedInferRequest {
  const request = parseInferRequestHeader(body.header);
  validateAgainstSignature(request, signature);
  const binary = body.binary ?? Buffer.alloc(0);
  let offset = 0;
  const inputs: Tensor[] = request.inputs.map((input) => {
    if (input.binaryDataSize === undefined) {
      return {
        name: input.name,
        datatype: input.datatype,
        shape: input.shape,
        data: decodeJsonData(input.name, input.datatype, input.shape, input.data),
      } as Tensor;
    }
    if (offset + input.binaryDataSize > binary.length) {
      throw badRequest(
        `input "${input.name}": binary_data_size ${input.binaryDataSize} runs past the binary section ` +
          `(${binary.length - offset} bytes left)`,
      );
    }
    const bytes = binary.subarray(offset, offset + input.binaryDataSize);
    offset += input.binaryDataSize;
    return {
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      data: decodeBinaryData(input.name, input.datatype, input.shape, bytes),
    } as Tensor;
  });
  if (offset !== binary.length) {
    throw badRequest(`the binary section has ${binary.length - offset} bytes that no input claims`);
  }
  const outputs =
    request.outputs?.map((output) => ({
      name: output.name,
      binary: output.binaryData ?? request.binaryDataOutput,
    })) ?? signature.outputs.map((output) => ({ name: output.name, binary: request.binaryDataOutput }));
  return { id: request.id, inputs, outputs };
}

/** An encoded response: content type, extra headers and the body. */
export interface EncodedResponse {
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * JSON responses from this length on are sent as bytes; smaller ones as a string, which node writes
 * together with the headers in one piece.
 */
const LARGE_JSON_CHARS = 4096;

const NON_ASCII = /[\u0080-\uffff]/;

/** Whether `text` (a name or id) has only ASCII characters, so its JSON form is ASCII too. */
function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * Writes the V2 inference response, with binary outputs after the JSON header when any is binary.
 * `dataTexts`, when given, holds each JSON output's data text already encoded (large answers are encoded
 * slice by slice: `protocol/large-answers.ts`).
 */
export function encodeInferResponse(
  modelName: string,
  modelVersion: string,
  id: string | undefined,
  outputs: readonly Tensor[],
  binaryFlags: readonly boolean[],
  dataTexts?: readonly (string | undefined)[],
): EncodedResponse {
  const chunks: Buffer[] = [];
  const outputTexts = outputs.map((tensor, index) => {
    const head = `{"name":${JSON.stringify(tensor.name)},"datatype":"${tensor.datatype}","shape":${JSON.stringify(tensor.shape)}`;
    if (binaryFlags[index]) {
      const bytes = encodeBinaryData(tensor);
      chunks.push(bytes);
      return `${head},"parameters":{"binary_data_size":${bytes.length}}}`;
    }
    return `${head},"data":${dataTexts?.[index] ?? encodeJsonData(tensor)}}`;
  });
  const idPart = id === undefined ? "" : `,"id":${JSON.stringify(id)}`;
  const json = `{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)}${idPart},"outputs":[${outputTexts.join(",")}]}`;
  if (chunks.length === 0) {
    if (json.length < LARGE_JSON_CHARS) return { contentType: JSON_TYPE, headers: {}, body: json };
    // A large body goes as bytes: a string body is flattened and copied twice more on its way to the
    // socket (fastify's byte count, node's header + body concatenation), a Buffer goes as it is. Text
    // that is all ASCII is copied byte for byte (latin1), twice as fast as encoding it as UTF-8.
    const ascii =
      isAscii(modelName) &&
      isAscii(modelVersion) &&
      (id === undefined || isAscii(id)) &&
      outputs.every((tensor) => tensor.datatype !== "BYTES" && isAscii(tensor.name));
    return { contentType: JSON_TYPE, headers: {}, body: Buffer.from(json, ascii ? "latin1" : "utf8") };
  }
  // The JSON header and the tensors are written into one buffer (not a header buffer and a concatenation).
  const headerBytes = Buffer.byteLength(json, "utf8");
  let length = headerBytes;
  for (const chunk of chunks) length += chunk.length;
  const body = Buffer.allocUnsafe(length);
  body.write(json, 0, headerBytes, "utf8");
  let offset = headerBytes;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return {
    contentType: "application/octet-stream",
    headers: { "inference-header-content-length": String(headerBytes) },
    body,
  };
}
