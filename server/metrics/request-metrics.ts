/**
 * Per-request metrics for a fastify app: in-flight gauge, request counter and duration histogram of the
 * inference routes. Labels come only from a model the app has resolved among its loaded models, never from
 * the raw URL, so a client cannot create label values (and unbounded series) by inventing model names.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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

/** Per request, as it arrives: starts tracking it when it is an inference request. */
export type RequestTracker = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * The per-request work of the metrics for requests already known to be inference requests: for an app
 * that runs it from the inference routes' own `onRequest` hook, so other routes pay nothing and no
 * request needs its route looked up (fastify builds `request.routeOptions` afresh on every read).
 */
export function inferenceRequestTracker(
  metrics: ServerMetrics,
  targetOf: RequestMetricsOptions["targetOf"],
): RequestTracker {
  return (request, reply) => {
    const started = performance.now();
    metrics.inflightRequests.inc();
    // One plain listener: `close` fires exactly once per response, whether the answer was sent (then
    // `writableEnded` is true) or the client went away first.
    reply.raw.once("close", () => {
      metrics.inflightRequests.dec();
      const target = targetOf(request);
      const labels = {
        model: target?.model ?? "",
        version: target?.version ?? "",
        outcome: outcomeOf(reply.raw.statusCode, reply.raw.writableEnded),
      };
      metrics.requestsTotal.inc(labels);
      metrics.requestDuration.observe(labels, (performance.now() - started) / 1000);
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
  const track = inferenceRequestTracker(metrics, options.targetOf);
  // A callback hook: no promise per request on the hot path.
  app.addHook("onRequest", (request, reply, done) => {
    const pattern = request.routeOptions.url;
    if (pattern !== undefined && isInference(pattern)) track(request, reply);
    done();
  });
}
