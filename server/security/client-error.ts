/**
 * Answers requests the HTTP parser rejects before any route runs (malformed request line, control bytes
 * in the target, oversized headers, slow clients) with the server's usual `{"error": "..."}` body, then
 * closes the connection.
 */
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

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
  if (socket.writable) {
    const body = JSON.stringify({ error: message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
