/**
 * The messages between the event loop and a codec thread, and the codec thread's side of them. Typed
 * arrays travel by transfer (moved, not copied) wherever their buffers allow it.
 */
import type { ModelSignature } from "../runtime/metadata";
import type { Tensor } from "../tensor";
import type { RawInferBody } from "./body";
import { decodeRaw, type EncodeRequest, encodeOutputs } from "./codec";
import { ProtocolError } from "./errors";
import type { DecodedInferRequest } from "./infer";

export type CodecTask =
  | {
      readonly id: number;
      readonly op: "decode";
      readonly body: RawInferBody;
      readonly signature: ModelSignature;
    }
  | { readonly id: number; readonly op: "encode"; readonly request: EncodeRequest };

/** An encoded response as it crosses threads: the body is always bytes. */
export interface EncodedBytes {
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export type CodecReply =
  | { readonly id: number; readonly decoded: DecodedInferRequest }
  | { readonly id: number; readonly encoded: EncodedBytes }
  | {
      readonly id: number;
      readonly error: { readonly status: ProtocolError["statusCode"]; readonly message: string };
    };

/** The buffers under the tensors' data, once each. */
export function tensorBuffers(tensors: readonly Tensor[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const tensor of tensors) {
    if (Array.isArray(tensor.data)) {
      for (const element of tensor.data) buffers.add(element.buffer as ArrayBuffer);
    } else {
      buffers.add((tensor.data as Float32Array).buffer as ArrayBuffer);
    }
  }
  return [...buffers];
}

/** Bytes that own their whole buffer, so the buffer can be transferred. */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

/** Runs one task on this (codec) thread: the reply, and what it can transfer. */
export function runCodecTask(task: CodecTask): { reply: CodecReply; transfer: ArrayBuffer[] } {
  try {
    if (task.op === "decode") {
      const decoded = decodeRaw(task.body, task.signature);
      return { reply: { id: task.id, decoded }, transfer: tensorBuffers(decoded.inputs) };
    }
    const encoded = encodeOutputs(task.request);
    const body = ownedBytes(
      typeof encoded.body === "string" ? Buffer.from(encoded.body, "utf8") : encoded.body,
    );
    return {
      reply: { id: task.id, encoded: { contentType: encoded.contentType, headers: encoded.headers, body } },
      transfer: [body.buffer as ArrayBuffer],
    };
  } catch (error) {
    const status = error instanceof ProtocolError ? error.statusCode : 500;
    return { reply: { id: task.id, error: { status, message: (error as Error).message } }, transfer: [] };
  }
}
