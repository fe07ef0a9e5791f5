/**
 * Answers requests the HTTP parser rejects before any route runs (malformed request line, control bytes
 * in the target, oversized headers, slow clients) with the server's usual `{"error": "..."}` body, then
 * closes the connection.
 */
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

const ANSWERS: Readonly<Record<string, { status: number; message: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: "the request was not received in time" },
  HPE_HEADER_OVERFLOW: { status: 431, message: "the request headers are too large" },
};
const MALFORMED = { status: 400, message: "malformed HTTP request" };

/** A node `clientError` listener (fastify's `clientErrorHandler` option). */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const { status, message } = (error.code !== undefined ? ANSWERS[error.code] : undefined) ?? MALFORMED;
  answerAndClose(socket, status, message);
}

/**
 * A node `connect` listener: CONNECT asks for a tunnel, which this server never opens. Without a
 * listener node closes the connection without a word; this answers 405 in the usual JSON first.
 */
export function answerConnect(_request: unknown, socket: Duplex): void {
  answerAndClose(socket, 405, "CONNECT is not supported: this server is not a proxy");
}

function answerAndClose(socket: Duplex, status: number, message: string): void {
  if (socket.writable) {
    const body = JSON.stringify({ error: message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Answers fastify's routing errors (a URL that is not valid percent-encoding, a path segment over the
 * length limit) with the usual `{"error": "..."}` body, without echoing the URL back.
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const message =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? "a path segment of the URL is too long"
      : "the URL is not valid (bad percent-encoding)";
  reply.code(error.statusCode ?? 400).send({ error: message });
}
