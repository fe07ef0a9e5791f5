/** Serving the registry in the Prometheus text format: on the app's own port, or on a separate one. */
import { once } from "node:events";
import http from "node:http";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

/** The path Prometheus scrapes. */
export const METRICS_PATH = "/metrics";

/** Adds `GET /metrics` to the app. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get(METRICS_PATH, { logLevel: "warn" }, async (_request, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}

/** Most open connections on the separate metrics port. */
export const METRICS_MAX_CONNECTIONS = 64;

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  readonly registry: Registry;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** @default "0.0.0.0" */
  readonly host?: string;
}

/**
 * Starts a separate HTTP listener that answers `GET /metrics` and 404 for anything else (`--metrics-port`:
 * keeps scrapes off the public port). Resolves once listening; close it with `server.close()`.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<http.Server> {
  const { registry } = options;
  const server = http.createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" || path !== METRICS_PATH) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: `not found: only GET ${METRICS_PATH} is served on this port` }));
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { "content-type": registry.contentType });
        response.end(text);
      },
      () => {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: "collecting metrics failed" }));
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  // Scrapers are few: a small cap keeps a connection flood on this port from taking file descriptors.
  server.maxConnections = METRICS_MAX_CONNECTIONS;
  server.listen(options.port, options.host ?? "0.0.0.0");
  await once(server, "listening");
  return server;
}
