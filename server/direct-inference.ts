/**
 * The direct path of inference requests: the common `POST /v2/models/{model}[/versions/{version}]/infer`
 * answered from node's request listener, without fastify's per-request machinery (request and reply
 * objects, router, hooks, content-type parser, reply pipeline). With nothing to batch, that machinery was
 * most of what a small model's request cost beyond onnxruntime's run (docs/benchmark.md, "Where the time
 * goes").
 *
 * A request takes it only when nothing about it needs one of fastify's decisions; every other request goes
 * to fastify untouched and gets fastify's usual answer: an unknown model (404) or one not ready (503), a
 * missing or wrong token (401), a body without Content-Length, over the body limit (413) or large enough
 * for the large-body admission gate, any other content type (415 or its parameters), a Content-Encoding
 * (415), an encoded or
 * unusual URL, and every request once the app is closing (503, connection closed). A direct request gets
 * what a fastify one gets: the same answer (`protocol/serve.ts`), the `X-Request-Id` header, the request
 * metrics, access-log sampling and error logging; node's header, request and keep-alive timeouts apply
 * to both, as they belong to the server.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AccessLog, LoggedRequest } from "./access-log";
import type { MetricsTarget, RequestTracker } from "./metrics";
import { INFERENCE_HEADER_CONTENT_LENGTH } from "./protocol/binary";
import type { RawInferBody } from "./protocol/body";
import type { LargeBodyGate } from "./protocol/large-bodies";
import { errorAnswer, type InferenceHandler, type ServingVersion, servingVersionOf } from "./protocol/serve";
import type { ModelRepository } from "./repository/repository";
import { type REQUEST_ID_HEADER, requestIdOf } from "./request-id";
import { bearerTokenOf } from "./security/bearer-auth";
import { tokensEqual } from "./security/token";
import { watchReader } from "./slow-readers";

/** Options of {@link installDirectInference}. */
export interface DirectInferenceOptions {
  readonly repository: ModelRepository;
  /** Answers a request (the one the fastify route uses). */
  readonly handle: InferenceHandler;
  /**
   * Largest body taken directly, in bytes: below the body limit and the large-body gate's threshold, so
   * fastify keeps deciding on those.
   */
  readonly maxBodyBytes: number;
  /** The bearer token, when auth is on: only requests that present it are taken directly. */
  readonly authToken: string | undefined;
  readonly accessLog: AccessLog;
  /** Request metrics, when on. */
  readonly trackMetrics: RequestTracker | undefined;
  /** Whether the app is closing: then fastify answers every request. */
  readonly closing: () => boolean;
  /** A large answer's connection that stands still this long is closed (`server/slow-readers.ts`). */
  readonly stalledReaderTimeoutMs: number;
  /** The body budget, which the direct path's bodies from 64 KiB on count against. */
  readonly largeBodies: LargeBodyGate;
}

/**
 * The inference routes, for model names and versions of plain characters no longer than fastify's
 * parameter limit (100); a name with anything else (percent-encoding, a query string, a trailing slash)
 * is fastify's to route.
 */
const DIRECT_ROUTE = /^\/v2\/models\/([A-Za-z0-9_.-]{1,100})(?:\/versions\/([A-Za-z0-9_.-]{1,100}))?\/infer$/;

/** Content types taken directly, as sent (lower case); any other form is fastify's to parse or refuse. */
const DIRECT_CONTENT_TYPES: ReadonlySet<string> = new Set([
  "application/json",
  "application/json; charset=utf-8",
  "application/octet-stream",
]);

const JSON_TYPE = "application/json; charset=utf-8";
const NO_HEADERS: Readonly<Record<string, string>> = {};

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Puts the direct path in front of `server`'s one request listener (fastify's): call once, after the app
 * is built and before it listens.
 */
export function installDirectInference(server: Server, options: DirectInferenceOptions): void {
  const listeners = server.listeners("request") as RequestListener[];
  if (listeners.length !== 1) {
    throw new Error(`expected one request listener (fastify's) on the server, found ${listeners.length}`);
  }
  const fastifyListener = listeners[0]!;
  server.removeListener("request", fastifyListener);
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const version = directVersion(request, options);
    if (version === undefined) fastifyListener(request, response);
    else serveDirectly(request, response, version, options);
  });
}

/** The model version a request is for, when it can be taken directly; undefined sends it to fastify. */
function directVersion(
  request: IncomingMessage,
  options: DirectInferenceOptions,
): ServingVersion | undefined {
  if (request.method !== "POST" || options.closing()) return undefined;
  const route = DIRECT_ROUTE.exec(request.url ?? "");
  if (route === null) return undefined;
  const { headers } = request;
  const length = Number(headers["content-length"]);
  if (
    !(length > 0 && length <= options.maxBodyBytes) ||
    headers["transfer-encoding"] !== undefined ||
    headers["content-encoding"] !== undefined
  ) {
    return undefined;
  }
  const contentType = headers["content-type"];
  if (
    contentType === undefined ||
    !(DIRECT_CONTENT_TYPES.has(contentType) || DIRECT_CONTENT_TYPES.has(contentType.toLowerCase()))
  ) {
    return undefined;
  }
  if (options.authToken !== undefined) {
    const presented = bearerTokenOf(headers.authorization);
    if (presented === undefined || !tokensEqual(presented, options.authToken)) return undefined;
  }
  const entry = options.repository.find(route[1]!, route[2]);
  return entry === undefined ? undefined : servingVersionOf(entry);
}

function serveDirectly(
  request: IncomingMessage,
  response: ServerResponse,
  version: ServingVersion,
  options: DirectInferenceOptions,
): void {
  const id = requestIdOf(request);
  const logged: LoggedRequest = { id, method: "POST", url: request.url! };
  if (options.trackMetrics !== undefined) {
    const target: MetricsTarget = { model: version.modelName, version: version.version };
    options.trackMetrics(response, () => target);
  }
  options.accessLog.sample(logged, response);
  try {
    options.largeBodies.admit(request.headers, (release) => response.once("close", release));
  } catch (error) {
    // Answered before its body is read: node reads and drops the body after the answer.
    answerError(response, id, logged, options, error as Error, request.headers["content-type"]);
    return;
  }
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  // A client that goes away before the end of its body: no `end`, and the response's `close` counts it.
  request.on("end", () => {
    const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
    const raw: RawInferBody = {
      bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      headerLength: typeof headerLength === "string" ? headerLength : undefined,
      contentType: request.headers["content-type"],
    };
    // Each reaction guards its own writing (one promise per request rather than a `.catch` after them).
    // The client is gone once its socket is destroyed (a half-closed one, that only ended its side, is not).
    options
      .handle(version, raw, () => request.socket.destroyed)
      .then(
        (encoded) => {
          try {
            answer(response, 200, id, encoded.contentType, encoded.headers, encoded.body, options);
          } catch (failure) {
            answerFailed(logged, response, options, failure as Error);
          }
        },
        (error: Error) => answerError(response, id, logged, options, error, raw.contentType),
      );
  });
}

/** Answers `error` with its status and JSON message, and logs it. */
function answerError(
  response: ServerResponse,
  id: string,
  logged: LoggedRequest,
  options: DirectInferenceOptions,
  error: Error,
  contentType: string | undefined,
): void {
  try {
    const { status, message } = errorAnswer(error, contentType);
    options.accessLog.failed(logged, status, message, error);
    answer(response, status, id, JSON_TYPE, NO_HEADERS, JSON.stringify({ error: message }), options);
  } catch (failure) {
    answerFailed(logged, response, options, failure as Error);
  }
}

/**
 * Writing an answer failed (nothing expected): log it, and end the exchange rather than leave the client
 * waiting or the rejection unhandled (which would stop the process).
 */
function answerFailed(
  logged: LoggedRequest,
  response: ServerResponse,
  options: DirectInferenceOptions,
  error: Error,
): void {
  options.accessLog.failed(logged, 500, "internal server error", error);
  response.destroy();
}

function hasAny(headers: Readonly<Record<string, string>>): boolean {
  for (const _ in headers) return true;
  return false;
}

function answer(
  response: ServerResponse,
  status: number,
  id: string,
  contentType: string,
  headers: Readonly<Record<string, string>>,
  body: string | Buffer,
  options: DirectInferenceOptions,
): void {
  // The client went away meanwhile: nobody to answer (the metrics counted it as aborted).
  if (response.destroyed || response.headersSent) return;
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  watchReader(response, length, options.stalledReaderTimeoutMs);
  // Static keys: a computed key in an object literal ([REQUEST_ID_HEADER]) is a runtime call in optimised
  // code, about 1,500 instructions per request. `satisfies` ties the key to REQUEST_ID_HEADER.
  const own = {
    "x-request-id": id,
    "content-type": contentType,
    "content-length": length,
  } satisfies Record<typeof REQUEST_ID_HEADER, string> & Record<string, string | number>;
  response.writeHead(status, hasAny(headers) ? { ...headers, ...own } : own);
  response.end(body);
}
