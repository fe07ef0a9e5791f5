/**
 * Content-type parsers for inference bodies: plain JSON, and the binary tensor extension (a JSON header
 * of `Inference-Header-Content-Length` bytes, then tensor bytes) sent as application/octet-stream or as
 * application/json with that header.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { INFERENCE_HEADER_CONTENT_LENGTH, splitBinaryBody } from "./binary";
import { badRequest } from "./errors";
import type { InferBody } from "./infer";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Turns a raw body into an {@link InferBody}. */
export function parseInferBody(request: FastifyRequest, body: Buffer): InferBody {
  const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
  if (typeof headerLength === "string") {
    const { json, binary } = splitBinaryBody(body, headerLength);
    return { header: parseJson(json), binary };
  }
  if (request.headers["content-type"]?.startsWith("application/octet-stream")) {
    throw badRequest("an application/octet-stream body needs the Inference-Header-Content-Length header");
  }
  return { header: parseJson(body.toString("utf8")), binary: undefined };
}

/** Replaces fastify's body parsers with ours: JSON and application/octet-stream only (others get 415). */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  for (const type of ["application/json", "application/octet-stream"]) {
    app.addContentTypeParser(type, { parseAs: "buffer" }, (request, body, done) => {
      try {
        done(null, parseInferBody(request, body as Buffer));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
}
