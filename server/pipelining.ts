/**
 * A bound on HTTP/1.1 pipelining: the requests a client sends on one connection before reading the answers
 * to earlier ones. Node parses every pipelined request it has read and queues each answer in memory, in
 * order, behind the one being written; it stops reading a connection only once the answers already written
 * pass the socket's high-water mark, which answers still being computed do not count towards. So a client
 * that writes thousands of requests in one burst and reads nothing got every one of them queued: 20,000
 * pipelined requests to a model with 16,384 outputs took the server from 160 to 635 MB (the answers of the
 * 1,024 that the batcher's queue admitted), and the client's slow reading kept them there.
 *
 * Past {@link MAX_QUEUED_PIPELINED_REQUESTS} answers queued behind the current one on a connection, each
 * further request is answered 503 at once (a small JSON error, in its turn), so nothing is lost and what a
 * connection holds in the server is bounded. Requests on a connection that waits for each answer (every
 * load balancer and HTTP client in common use) never queue, and pay one property read.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Answers a connection may have queued behind the one being written before the next one is refused. */
export const MAX_QUEUED_PIPELINED_REQUESTS = 32;

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** Answers a request refused for pipelining too deep (503, JSON error body). */
export type PipeliningRefusal = (request: IncomingMessage, response: ServerResponse, message: string) => void;

/**
 * Puts the bound in front of `server`'s one request listener: call once, after every other wrapper of the
 * listener is installed and before the server listens.
 */
export function limitPipelinedRequests(
  server: Server,
  refuse: PipeliningRefusal,
  maxQueued: number = MAX_QUEUED_PIPELINED_REQUESTS,
): void {
  const listeners = server.listeners("request") as RequestListener[];
  if (listeners.length !== 1) {
    throw new Error(`expected one request listener on the server, found ${listeners.length}`);
  }
  const listener = listeners[0]!;
  server.removeListener("request", listener);
  /**
   * Answers queued behind the one being written, per connection. Weak: a connection that closes with
   * answers still queued may never emit their `close`, and its count goes with it.
   */
  const queued = new WeakMap<Socket, number>();
  const message =
    `more than ${maxQueued} requests pipelined on one connection ahead of their answers; ` +
    "read each answer before sending more, or open more connections";
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    // Node gives a response its socket at once unless answers ahead of it are still pending on the
    // connection: only a pipelined request's response starts without one.
    if (response.socket !== null) {
      listener(request, response);
      return;
    }
    const socket = request.socket;
    const count = queued.get(socket) ?? 0;
    if (count >= maxQueued) {
      refuse(request, response, message);
      return;
    }
    queued.set(socket, count + 1);
    response.once("close", () => {
      const left = (queued.get(socket) ?? 1) - 1;
      if (left === 0) queued.delete(socket);
      else queued.set(socket, left);
    });
    listener(request, response);
  });
}
