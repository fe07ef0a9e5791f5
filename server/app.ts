/**
 * The HTTP app: Open Inference Protocol (KServe V2) REST routes over a {@link ModelRepository}. Built
 * apart from listening, so tests inject requests (`app.inject`).
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from "fastify";
import { registerMetricsRoute, registerRequestMetrics, type ServerMetrics } from "./metrics";
import { parseInferBody, type RawInferBody, registerBodyParsers } from "./protocol/body";
import { ProtocolError } from "./protocol/errors";
import { decodeInferRequest, encodeInferResponse } from "./protocol/infer";
import type { ModelRepository, ModelVersion } from "./repository/repository";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id";
import { answerClientError, answerFrameworkError, registerBearerAuth } from "./security";
import { SERVER_EXTENSIONS, SERVER_NAME, SERVER_VERSION } from "./version";

export interface AppOptions {
  /** The models to serve (loaded, or loading: readiness follows it). */
  readonly repository: ModelRepository;
  /** Largest request body in bytes; larger requests get 413. @default 67108864 (64 MiB) */
  readonly bodyLimitBytes?: number;
  /** A pino logger for request logs. @default - no logging */
  readonly logger?: FastifyBaseLogger;
  /**
   * Time a client has to send the request headers, in milliseconds (slowloris guard).
   * @default 10000
   */
  readonly headersTimeoutMs?: number;
  /**
   * Time a client has to send the whole request, body included, in milliseconds; then 408.
   * @default 60000
   */
  readonly requestTimeoutMs?: number;
  /**
   * A readiness condition besides "every model loaded": the drain controller's, false from SIGTERM on.
   * @default - always true
   */
  readonly acceptingTraffic?: () => boolean;
  /**
   * Bearer token required on every route except the health probes.
   * @default - no auth
   */
  readonly authToken?: string;
  /** Metrics to record requests into. @default - no metrics */
  readonly metrics?: ServerMetrics;
  /**
   * Serve `GET /metrics` on this app (false when a separate metrics port serves them).
   * @default true
   */
  readonly serveMetrics?: boolean;
}

interface ModelParams {
  readonly model: string;
  readonly version?: string;
}

const PLATFORM = "onnxruntime_onnx";

/** The request property holding the model version an inference request resolved to (metric labels). */
const SERVED_BY = "onnxfleetServedBy";
type ServedRequest = { [SERVED_BY]: { model: string; version: string } | null };

function lookup(repository: ModelRepository, params: ModelParams): ModelVersion {
  const entry = repository.find(params.model, params.version);
  if (entry === undefined) {
    const what = params.version === undefined ? "" : ` version ${params.version}`;
    throw new ProtocolError(404, `model "${params.model}"${what} is not served`);
  }
  return entry;
}

function requireReady(entry: ModelVersion): Required<Pick<ModelVersion, "signature" | "executor">> {
  if (entry.state !== "ready" || entry.signature === undefined || entry.executor === undefined) {
    throw new ProtocolError(
      503,
      `model "${entry.modelName}" version ${entry.version} is not ready (${entry.state})`,
    );
  }
  return { signature: entry.signature, executor: entry.executor };
}

/** Maps any error to a status and a message safe to return (no stack traces, no internals on 5xx). */
function errorResponse(error: FastifyError | Error): { status: number; message: string } {
  if (error instanceof ProtocolError) return { status: error.statusCode, message: error.message };
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status, message: error.message };
  return { status: 500, message: "internal server error" };
}

/** Builds the app; it does not listen. */
export function buildApp(options: AppOptions): FastifyInstance {
  const { repository } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024 * 1024,
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    routerOptions: { ignoreTrailingSlash: true },
    requestTimeout: options.requestTimeoutMs ?? 60_000,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    genReqId: requestIdOf,
    // Node checks the header and request timeouts on this interval (its default, 30 s, lets slowloris
    // connections live well past the timeout).
    http: { headersTimeout: options.headersTimeoutMs ?? 10_000, connectionsCheckingInterval: 1_000 },
  }) as unknown as FastifyInstance;
  registerBodyParsers(app);
  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  if (options.authToken !== undefined) registerBearerAuth(app, { token: options.authToken });
  // The model version each inference request resolved to: the only source of metric labels. A request
  // property (declared up front, so every request has the same shape) rather than a WeakMap, whose entries
  // the garbage collector handles specially, at a cost measurable per request.
  app.decorateRequest(SERVED_BY, null);
  if (options.metrics !== undefined) {
    registerRequestMetrics(app, options.metrics, {
      targetOf: (request) => (request as unknown as ServedRequest)[SERVED_BY] ?? undefined,
    });
    if (options.serveMetrics ?? true) registerMetricsRoute(app, options.metrics.registry);
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = errorResponse(error);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    reply.code(status).type("application/json; charset=utf-8").send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` });
  });

  app.get("/v2", async () => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: SERVER_EXTENSIONS }));
  // Probes arrive every few seconds from every kubelet and load balancer: keep them out of info logs.
  const probe = { logLevel: "warn" } as const;
  app.get("/v2/health/live", probe, async () => ({ live: true }));
  app.get("/v2/health/ready", probe, async (_request, reply) => {
    const ready = repository.ready && (options.acceptingTraffic?.() ?? true);
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  const metadata = async (request: { params: ModelParams }) => {
    const entry = lookup(repository, request.params);
    const { signature } = requireReady(entry);
    const model = repository.models.get(entry.modelName)!;
    return {
      name: entry.modelName,
      versions: model.versions.map((version) => version.version),
      platform: PLATFORM,
      inputs: signature.inputs,
      outputs: signature.outputs,
    };
  };
  app.get<{ Params: ModelParams }>("/v2/models/:model", metadata);
  app.get<{ Params: ModelParams }>("/v2/models/:model/versions/:version", metadata);

  const modelReady = async (request: { params: ModelParams }, reply: { code(status: number): unknown }) => {
    const entry = lookup(repository, request.params);
    const ready = entry.state === "ready";
    reply.code(ready ? 200 : 503);
    return { name: entry.modelName, version: entry.version, ready };
  };
  app.get<{ Params: ModelParams }>("/v2/models/:model/ready", modelReady);
  app.get<{ Params: ModelParams }>("/v2/models/:model/versions/:version/ready", modelReady);

  const infer = async (request: { params: ModelParams; body: unknown }, reply: FastifyReply) => {
    const entry = lookup(repository, request.params);
    (request as unknown as ServedRequest)[SERVED_BY] = { model: entry.modelName, version: entry.version };
    const { signature, executor } = requireReady(entry);
    if (request.body === undefined || request.body === null) {
      throw new ProtocolError(400, "the request needs a JSON body (Content-Type: application/json)");
    }
    const decoded = decodeInferRequest(parseInferBody(request.body as RawInferBody), signature);
    const outputNames = decoded.outputs.map((output) => output.name);
    let outputs: Awaited<ReturnType<typeof executor.infer>>;
    try {
      outputs = await executor.infer(decoded.inputs, outputNames);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(
        400,
        `model "${entry.modelName}" version ${entry.version} failed on these inputs: ${(error as Error).message}`,
      );
    }
    const encoded = encodeInferResponse(
      entry.modelName,
      entry.version,
      decoded.id,
      outputs,
      decoded.outputs.map((output) => output.binary),
    );
    return reply.code(200).headers(encoded.headers).type(encoded.contentType).send(encoded.body);
  };
  app.post<{ Params: ModelParams }>("/v2/models/:model/infer", infer);
  app.post<{ Params: ModelParams }>("/v2/models/:model/versions/:version/infer", infer);
  return app;
}
