/**
 * One inference request, from its body's bytes to the encoded answer: decode and validate against the
 * model's signature, run through the model version's executor (the batcher), encode. Shared by the
 * fastify route and the direct path (`server/direct-inference.ts`), so both answer alike.
 */
import type { FastifyError } from "fastify";
import type { InferenceExecutor } from "../executor";
import type { ModelVersion } from "../repository/repository";
import { OutputTooLargeJsonError } from "../runtime/errors";
import type { ModelSignature } from "../runtime/metadata";
import type { Tensor } from "../tensor";
import { parseInferBody, type RawInferBody, unsupportedContentTypeMessage } from "./body";
import { ProtocolError } from "./errors";
import {
  type DecodedInferRequest,
  decodeInferRequest,
  type EncodedResponse,
  encodeInferResponse,
} from "./infer";
import { jsonElements, LARGE_ANSWER_ELEMENTS, LargeAnswerEncoder } from "./large-answers";
import type { LargeBodyGate } from "./large-bodies";
import { runFailure } from "./run-errors";

/** A model version that is ready to serve. */
export interface ServingVersion {
  readonly modelName: string;
  readonly version: string;
  readonly signature: ModelSignature;
  readonly executor: InferenceExecutor;
}

/** `entry` as a {@link ServingVersion}, or undefined while it is not ready to serve. */
export function servingVersionOf(entry: ModelVersion): ServingVersion | undefined {
  if (entry.state !== "ready" || entry.signature === undefined || entry.executor === undefined)
    return undefined;
  return {
    modelName: entry.modelName,
    version: entry.version,
    signature: entry.signature,
    executor: entry.executor,
  };
}

/** Options of {@link inferenceHandler}. */
export interface InferenceHandlerOptions {
  /** Decodes large JSON bodies one at a time, after a turn of the event loop. */
  readonly largeBodies: LargeBodyGate;
  /** Directories whose paths never appear in an answer (the model repository's, as given and resolved). */
  readonly hiddenDirectories: readonly string[];
  /**
   * `--max-response-bytes`: an answer whose body would pass it gets 400 (large JSON answers stop as soon
   * as their text passes it).
   * @default - no bound
   */
  readonly maxResponseBytes?: number;
}

/** Answers one inference request; throws a {@link ProtocolError} (or another error: a 500) when it cannot. */
export type InferenceHandler = (
  version: ServingVersion,
  raw: RawInferBody,
  /** True once the client has closed its connection: a queued request is then dropped, not run. */
  abandoned?: () => boolean,
) => Promise<EncodedResponse>;

export function inferenceHandler({
  largeBodies,
  hiddenDirectories,
  maxResponseBytes,
}: InferenceHandlerOptions): InferenceHandler {
  const largeAnswers = new LargeAnswerEncoder(maxResponseBytes);
  const labelOf = (version: ServingVersion) => `model "${version.modelName}" version ${version.version}`;
  const bounded = (version: ServingVersion, encoded: EncodedResponse): EncodedResponse => {
    if (maxResponseBytes !== undefined && bodyBytesOver(encoded.body, maxResponseBytes)) {
      throw new OutputTooLargeJsonError(labelOf(version), maxResponseBytes);
    }
    return encoded;
  };
  const encode = (
    version: ServingVersion,
    decoded: DecodedInferRequest,
    tensors: Tensor[],
  ): EncodedResponse | Promise<EncodedResponse> => {
    const { modelName, version: number } = version;
    const binaryFlags = decoded.outputs.map((output) => output.binary);
    if (jsonElements(tensors, binaryFlags) < LARGE_ANSWER_ELEMENTS) {
      return bounded(version, encodeInferResponse(modelName, number, decoded.id, tensors, binaryFlags));
    }
    return largeAnswers
      .dataTexts(labelOf(version), tensors, binaryFlags)
      .then((texts) =>
        bounded(version, encodeInferResponse(modelName, number, decoded.id, tensors, binaryFlags, texts)),
      );
  };
  // Plain promise chains, not an async function: one request's answer takes as few promise reactions as it
  // can (a small model's whole request is ~100 µs; docs/benchmark.md).
  const run = (
    version: ServingVersion,
    decoded: DecodedInferRequest,
    abandoned: (() => boolean) | undefined,
  ): Promise<EncodedResponse> => {
    const outputNames = decoded.outputs.map((output) => output.name);
    let outputs: Promise<Tensor[]>;
    try {
      outputs = version.executor.infer(
        decoded.inputs,
        outputNames,
        abandoned === undefined ? undefined : { abandoned },
      );
    } catch (error) {
      outputs = Promise.reject(error);
    }
    return outputs.then(
      (tensors) => encode(version, decoded, tensors),
      (error: unknown) => {
        throw runFailure(`model "${version.modelName}" version ${version.version}`, error, hiddenDirectories);
      },
    );
  };
  return (version, raw, abandoned) => {
    // JSON bodies of 64 KiB or more decode one at a time, after a turn of the event loop (probes get
    // answered between; protocol/large-bodies.ts).
    if (raw.headerLength === undefined && raw.bytes.length >= largeBodies.budgetedBytes) {
      return largeBodies
        .decodeInTurn(() => decodeInferRequest(parseInferBody(raw), version.signature))
        .then((decoded) => run(version, decoded, abandoned));
    }
    let decoded: DecodedInferRequest;
    try {
      decoded = decodeInferRequest(parseInferBody(raw), version.signature);
    } catch (error) {
      return Promise.reject(error);
    }
    return run(version, decoded, abandoned);
  };
}

/** Whether `body` holds more than `limit` bytes (a string's characters are a lower bound on its bytes). */
function bodyBytesOver(body: string | Buffer, limit: number): boolean {
  if (typeof body !== "string") return body.length > limit;
  return body.length > limit || (3 * body.length > limit && Buffer.byteLength(body) > limit);
}

/** Maps any error to a status and a message safe to return (no stack traces, no internals on 5xx). */
export function errorAnswer(
  error: FastifyError | Error,
  contentType: string | undefined,
): { status: number; message: string } {
  if (error instanceof ProtocolError) return { status: error.statusCode, message: error.message };
  if ((error as FastifyError).code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return { status: 415, message: unsupportedContentTypeMessage(contentType) };
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status, message: error.message };
  return { status: 500, message: "internal server error" };
}
