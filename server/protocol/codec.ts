/**
 * The inference codec: from a raw request body to validated tensors, and from output tensors to a
 * response body. {@link INLINE_CODEC} does both on the calling thread; `CodecPool` (codec-pool.ts) moves
 * large bodies and responses to codec threads so the event loop keeps serving sockets meanwhile.
 */
import type { ModelSignature } from "../runtime/metadata";
import type { Tensor } from "../tensor";
import { parseInferBody, type RawInferBody } from "./body";
import {
  type DecodedInferRequest,
  decodeInferRequest,
  type EncodedResponse,
  encodeInferResponse,
} from "./infer";

/** What a response is made of: the model version that answered, the request id, the outputs. */
export interface EncodeRequest {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id: string | undefined;
  readonly outputs: readonly Tensor[];
  /** Per output: whether it travels as binary data (else JSON). */
  readonly binaryFlags: readonly boolean[];
}

/** Decodes inference requests and encodes their responses. */
export interface InferCodec {
  /** Parses and validates `body` against `signature`; rejects with a ProtocolError (4xx) when invalid. */
  decode(body: RawInferBody, signature: ModelSignature): Promise<DecodedInferRequest>;
  encode(request: EncodeRequest): Promise<EncodedResponse>;
  /** Stops the codec's threads, if any. */
  close(): Promise<void>;
}

/** Parse and validate, on this thread. */
export function decodeRaw(body: RawInferBody, signature: ModelSignature): DecodedInferRequest {
  return decodeInferRequest(parseInferBody(body), signature);
}

/** Encode, on this thread. */
export function encodeOutputs(request: EncodeRequest): EncodedResponse {
  return encodeInferResponse(
    request.modelName,
    request.modelVersion,
    request.id,
    request.outputs,
    request.binaryFlags,
  );
}

/** The codec that works on the calling thread (no threads to start or stop). */
export const INLINE_CODEC: InferCodec = {
  decode: async (body, signature) => decodeRaw(body, signature),
  encode: async (request) => encodeOutputs(request),
  close: async () => {},
};
