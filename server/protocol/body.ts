/**
 * Content-type parsers for inference bodies: plain JSON, and the binary tensor extension (a JSON header
 * of `Inference-Header-Content-Length` bytes, then tensor bytes) sent as application/octet-stream or as
 * application/json with that header. Fastify only collects the bytes ({@link RawInferBody}); the infer
 * route parses them once it knows the model is there and ready.
 */
import type { FastifyInstance } from "fastify";
import { INFERENCE_HEADER_CONTENT_LENGTH, splitBinaryBody } from "./binary";
import { badRequest, ProtocolError } from "./errors";
import type { InferBody } from "./infer";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth";
import { parseJsonWithNumberArrays } from "./json-numbers";

/** An inference request body as received: its bytes and the two headers that say how to read them. */
export interface RawInferBody {
  readonly bytes: Buffer;
  /** The `Inference-Header-Content-Length` header (binary tensor extension), when sent. */
  readonly headerLength: string | undefined;
  readonly contentType: string | undefined;
}

function parseJson(bytes: Buffer): unknown {
  if (exceedsJsonDepth(bytes)) {
    throw badRequest(`the request's JSON nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return parseJsonWithNumberArrays(bytes);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Turns a raw body into an {@link InferBody}. */
export function parseInferBody(raw: RawInferBody): InferBody {
  const body = raw.bytes;
  if (raw.headerLength !== undefined) {
    const { json, binary } = splitBinaryBody(body, raw.headerLength);
    return { header: parseJson(json), binary };
  }
  if (raw.contentType?.startsWith("application/octet-stream")) {
    throw badRequest("an application/octet-stream body needs the Inference-Header-Content-Length header");
  }
  return { header: parseJson(body), binary: undefined };
}

/** The content types of inference bodies; any other gets 415. */
export const ACCEPTED_CONTENT_TYPES = ["application/json", "application/octet-stream"] as const;

/** The 415 message: what came and what is accepted. */
export function unsupportedContentTypeMessage(contentType: string | undefined): string {
  return (
    `unsupported content type ${JSON.stringify(contentType ?? "")}; send application/json (V2 JSON, or ` +
    "the binary tensor extension with Inference-Header-Content-Length) or application/octet-stream " +
    "(binary tensor extension)"
  );
}

/** Whether a `Content-Encoding` header names a coding (anything but none or `identity`). */
export function isContentCoded(contentEncoding: string | undefined): contentEncoding is string {
  return contentEncoding !== undefined && !/^\s*identity\s*$/i.test(contentEncoding);
}

/**
 * A body sent with a content coding (`Content-Encoding: gzip`, ...) is refused with 415, as RFC 9110
 * section 15.5.16 says for a coding the server does not apply; read as it came, a compressed body would only
 * fail as "not valid JSON" with its compressed bytes quoted back. `identity` (no coding) is accepted.
 */
export function unsupportedContentEncoding(contentEncoding: string | undefined): ProtocolError | undefined {
  if (!isContentCoded(contentEncoding)) return undefined;
  return new ProtocolError(
    415,
    `unsupported content encoding ${JSON.stringify(contentEncoding)}: send the body uncompressed ` +
      "(no Content-Encoding header); inference bodies are read as sent",
  );
}

/** Replaces fastify's body parsers with ours: JSON and application/octet-stream only (others get 415). */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  for (const type of ACCEPTED_CONTENT_TYPES) {
    app.addContentTypeParser(type, { parseAs: "buffer" }, (request, body, done) => {
      const encoded = unsupportedContentEncoding(request.headers["content-encoding"]);
      if (encoded !== undefined) {
        done(encoded, undefined);
        return;
      }
      const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
      const raw: RawInferBody = {
        bytes: body as Buffer,
        headerLength: typeof headerLength === "string" ? headerLength : undefined,
        contentType: request.headers["content-type"],
      };
      done(null, raw);
    });
  }
}
