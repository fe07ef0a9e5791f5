/**
 * Request ids for logs: a caller's `X-Request-Id` when it is a sane token (so one id follows a request
 * through the load balancer and this server), else a fresh UUID. The id goes back in the response header.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The header a request id travels in. */
export const REQUEST_ID_HEADER = "x-request-id";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of one request (fastify's `genReqId`). */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === "string" && SANE_ID.test(given) ? given : randomUUID();
}
