/**
 * Bearer-token auth for a fastify app: every route needs `Authorization: Bearer <token>` except the
 * public ones (health probes). Runs in `onRequest`, before any body is read, so an unauthenticated client
 * cannot make the server buffer or parse anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { tokensEqual } from "./token";

/** Route patterns that stay open when auth is on: the probes load balancers and the kubelet call. */
export const PUBLIC_ROUTES: readonly string[] = ["/v2/health/live", "/v2/health/ready"];

/** Options of {@link registerBearerAuth}. */
export interface BearerAuthOptions {
  /** The expected token (see `loadAuthToken`). */
  readonly token: string;
  /**
   * Route patterns (as registered, e.g. `/v2/health/ready`) open without a token. Matched on the route
   * fastify resolved, never on the raw URL, so path tricks cannot reach a protected route as a public one.
   * @default PUBLIC_ROUTES
   */
  readonly publicRoutes?: readonly string[];
}

const SCHEME = "bearer ";

/** Extracts the token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined || header.length <= SCHEME.length) return undefined;
  if (header.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined;
  const token = header.slice(SCHEME.length).trim();
  return token === "" ? undefined : token;
}

/** Adds the auth check to `app` (call before routes are registered, on the root instance). */
export function registerBearerAuth(app: FastifyInstance, options: BearerAuthOptions): void {
  const open = new Set(options.publicRoutes ?? PUBLIC_ROUTES);
  const expected = options.token;
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && open.has(route)) return;
    const presented = bearerTokenOf(request.headers.authorization);
    if (presented !== undefined && tokensEqual(presented, expected)) return;
    const message =
      presented === undefined
        ? "missing bearer token: send the header Authorization: Bearer <token>"
        : "invalid bearer token";
    return reply
      .code(401)
      .header("www-authenticate", 'Bearer realm="onnxfleet"')
      .header("connection", "close")
      .send({ error: message });
  });
}
