/**
 * Per-request metrics for a fastify app: in-flight gauge, request counter and duration histogram of the
 * inference routes. Labels come only from a model the app has resolved among its loaded models, never from
 * the raw URL, so a client cannot create label values (and unbounded series) by inventing model names.
 */
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RequestOutcome, ServerMetrics } from "./definitions";

/** The model version a request was served by. */
export interface MetricsTarget {
  readonly model: string;
  readonly version: string;
}

/** Options of {@link registerRequestMetrics}. */
export interface RequestMetricsOptions {
  /**
   * Which requests are inference requests, by registered route pattern.
   * @default - routes whose pattern ends in `/infer`
   */
  readonly isInferenceRoute?: (routePattern: string) => boolean;
  /**
   * The loaded model version that served the request, or undefined (unknown model, rejected early); read
   * when the response ends. Unresolved requests are counted with empty `model` and `version` labels.
   */
  readonly targetOf: (request: FastifyRequest) => MetricsTarget | undefined;
}

/** The outcome label of a finished response. */
export function outcomeOf(statusCode: number, finished: boolean): RequestOutcome {
  if (!finished) return "aborted";
  if (statusCode >= 500) return "server_error";
  if (statusCode >= 400) return "client_error";
  return "success";
}

/**
 * Per inference request, as it arrives: tracks its response; `targetOf` is read when the response ends
 * (the model version that served it, or undefined).
 */
export type RequestTracker = (response: ServerResponse, targetOf: () => MetricsTarget | undefined) => void;

/**
 * The per-request work of the metrics for requests already known to be inference requests: for an app
 * that runs it from the inference routes' own `onRequest` hook, so other routes pay nothing and no
 * request needs its route looked up (fastify builds `request.routeOptions` afresh on every read).
 */
export function inferenceRequestTracker(metrics: ServerMetrics): RequestTracker {
  const inflight = metrics.inflightRequests.series({});
  return (response, targetOf) => {
    const started = performance.now();
    inflight.inc();
    // One plain listener: `close` fires exactly once per response, whether the answer was sent (then
    // `writableEnded` is true) or the client went away first; `on`, as `once` would wrap the listener in a
    // bound function of its own on every request.
    response.on("close", () => {
      inflight.dec();
      const target = targetOf();
      const labels = {
        model: target?.model ?? "",
        version: target?.version ?? "",
        outcome: outcomeOf(response.statusCode, response.writableEnded),
      };
      metrics.requestsTotal.series(labels).inc();
      metrics.requestDuration.series(labels).observe((performance.now() - started) / 1000);
    });
  };
}

/** Adds the metrics as an `onRequest` hook of their own (on the root instance, before routes are registered). */
export function registerRequestMetrics(
  app: FastifyInstance,
  metrics: ServerMetrics,
  options: RequestMetricsOptions,
): void {
  const isInference = options.isInferenceRoute ?? ((pattern: string) => pattern.endsWith("/infer"));
  const track = inferenceRequestTracker(metrics);
  // A callback hook: no promise per request on the hot path.
  app.addHook("onRequest", (request, reply, done) => {
    const pattern = request.routeOptions.url;
    if (pattern !== undefined && isInference(pattern)) track(reply.raw, () => options.targetOf(request));
    done();
  });
}
