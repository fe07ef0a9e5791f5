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

/** Writes the V2 inference response, with binary outputs after the JSON header when any is binary. */
export function encodeInferResponse(
  modelName: string,
  modelVersion: string,
  id: string | undefined,
  outputs: readonly Tensor[],
  binaryFlags: readonly boolean[],
): EncodedResponse {
  const chunks: Buffer[] = [];
  const outputTexts = outputs.map((tensor, index) => {
    const head = `{"name":${JSON.stringify(tensor.name)},"datatype":"${tensor.datatype}","shape":${JSON.stringify(tensor.shape)}`;
    if (binaryFlags[index]) {
      const bytes = encodeBinaryData(tensor);
      chunks.push(bytes);
      return `${head},"parameters":{"binary_data_size":${bytes.length}}}`;
    }
    return `${head},"data":${encodeJsonData(tensor)}}`;
  });
  const idPart = id === undefined ? "" : `,"id":${JSON.stringify(id)}`;
  const json = `{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)}${idPart},"outputs":[${outputTexts.join(",")}]}`;
  if (chunks.length === 0) return { contentType: "application/json; charset=utf-8", headers: {}, body: json };
  const header = Buffer.from(json, "utf8");
  return {
    contentType: "application/octet-stream",
    headers: { "inference-header-content-length": String(header.length) },
    body: Buffer.concat([header, ...chunks]),
  };
}
