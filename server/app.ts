/**
 * The HTTP app: Open Inference Protocol (KServe V2) REST routes over a {@link ModelRepository}. Built
 * apart from listening, so tests inject requests (`app.inject`).
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { LIVE_PATH, READY_PATH } from "../src/plan/server-contract";
import { AccessLog } from "./access-log";
import { installDirectInference } from "./direct-inference";
import { inferenceRequestTracker, registerMetricsRoute, type ServerMetrics } from "./metrics";
import { limitPipelinedRequests } from "./pipelining";
import { isContentCoded, type RawInferBody, registerBodyParsers } from "./protocol/body";
import { ProtocolError } from "./protocol/errors";
import { LargeBodyGate } from "./protocol/large-bodies";
import { errorAnswer, inferenceHandler, type ServingVersion, servingVersionOf } from "./protocol/serve";
import type { ModelRepository, ModelVersion } from "./repository/repository";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id";
import { answerClientError, answerConnect, answerFrameworkError, registerBearerAuth } from "./security";
import { STALLED_READER_TIMEOUT_MS, watchReader } from "./slow-readers";
import { SERVER_EXTENSIONS, SERVER_NAME, SERVER_VERSION } from "./version";

export interface AppOptions {
  /** The models to serve (loaded, or loading: readiness follows it). */
  readonly repository: ModelRepository;
  /** Largest request body in bytes; larger requests get 413. @default 67108864 (64 MiB) */
  readonly bodyLimitBytes?: number;
  /** A pino logger for request logs. @default - no logging */
  readonly logger?: FastifyBaseLogger;
  /**
   * Share of requests that get an access line, 0 to 1; refused and failed requests are always logged
   * (see `access-log.ts`).
   * @default 0
   */
  readonly accessLogSampleRate?: number;
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
   * An idle keep-alive connection is closed after this long, in milliseconds. Below the load balancer's
   * idle timeout: an AWS NLB drops an idle TCP flow after 350 s without telling either end
   * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html), and a
   * client then writes into a connection that is gone.
   * @default 120000
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Most open connections; more are closed as they arrive, so a connection flood cannot take every file
   * descriptor (then even probes and the metrics port fail).
   * @default 4096
   */
  readonly maxConnections?: number;
  /**
   * Most bytes of request bodies of 64 KiB or more in progress at once; a request that would pass it gets
   * 503 before its body is read (`--large-bodies-budget-bytes`).
   * @default 268435456 (256 MiB)
   */
  readonly largeBodiesBudgetBytes?: number;
  /**
   * Most bytes an answer may carry (`--max-response-bytes`): an encoded body past it gets 400, and a large
   * JSON answer stops encoding as soon as its text passes it. The raw-output check before encoding is the
   * executors' (`maxResponseBytes` of the batching settings).
   * @default - no bound
   */
  readonly maxResponseBytes?: number;
  /**
   * A connection carrying an answer of 1 MiB or more is closed when it stands still this long (the
   * client reads nothing): `server/slow-readers.ts`.
   * @default 30000
   */
  readonly stalledReaderTimeoutMs?: number;
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

function requireReady(entry: ModelVersion): ServingVersion {
  const serving = servingVersionOf(entry);
  if (serving === undefined) {
    throw new ProtocolError(
      503,
      `model "${entry.modelName}" version ${entry.version} is not ready (${entry.state})`,
    );
  }
  return serving;
}

/** `root` as given and as resolved (symbolic links followed), longest first. */
function directoriesOf(root: string): string[] {
  const given = resolve(root);
  let real = given;
  try {
    real = realpathSync(given);
  } catch {
    // not there (yet): the given path is all there is
  }
  return [...new Set([given, real])].sort((a, b) => b.length - a.length);
}

/** Builds the app; it does not listen. */
export function buildApp(options: AppOptions): FastifyInstance {
  const { repository } = options;
  const bodyLimitBytes = options.bodyLimitBytes ?? 64 * 1024 * 1024;
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Fastify's own two info lines per request (and a child logger per request for them) cost a third of
    // the throughput of a small model; the access log below samples instead, and logs every error.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    routerOptions: { ignoreTrailingSlash: true },
    requestTimeout: options.requestTimeoutMs ?? 60_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 120_000,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    genReqId: requestIdOf,
    // Node checks the header and request timeouts on this interval (its default, 30 s, lets slowloris
    // connections live well past the timeout).
    http: { headersTimeout: options.headersTimeoutMs ?? 10_000, connectionsCheckingInterval: 1_000 },
  }) as unknown as FastifyInstance;
  app.server.maxConnections = options.maxConnections ?? 4096;
  app.server.on("connect", answerConnect);
  // A client may half-close its side once its request is sent: in HTTP/1.1 a half-closed connection
  // neither ends a request nor says the client lost interest in the answer (RFC 9112's note on half-close,
  // httpwg/http-core#431). Node's HTTP server ends such a connection at once by default, dropping every
  // answer still being computed: 19 of 20 such requests to a model on a worker thread got no answer. With
  // node's `httpAllowHalfOpen` (undocumented, kept for userland servers: nodejs/node#36819) it answers what
  // is pending and closes after the last answer. test/server/hostile-sockets.test.ts holds it to that.
  (app.server as typeof app.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  const largeBodies = new LargeBodyGate({
    budgetBytes: options.largeBodiesBudgetBytes,
    bodyLimitBytes,
  });
  // Failure messages name models, never where they live on disk.
  const hiddenDirectories = directoriesOf(repository.root);
  registerBodyParsers(app);
  // The model version each inference request resolved to: the only source of metric labels. A request
  // property (declared up front, so every request has the same shape) rather than a WeakMap, whose entries
  // the garbage collector handles specially, at a cost measurable per request.
  app.decorateRequest(SERVED_BY, null);
  const accessLog = new AccessLog({
    logger: app.log,
    sampleRate: options.logger === undefined ? 0 : (options.accessLogSampleRate ?? 0),
  });
  app.addHook("onClose", (_instance, done) => {
    accessLog.close();
    done();
  });
  const trackMetrics = options.metrics === undefined ? undefined : inferenceRequestTracker(options.metrics);
  if (options.metrics !== undefined && (options.serveMetrics ?? true)) {
    registerMetricsRoute(app, options.metrics.registry);
  }
  // Everything a request needs on arrival, in one callback hook (each hook costs per request, and a
  // callback hook makes no promise).
  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    accessLog.sample(request, reply.raw);
    done();
  });
  if (options.authToken !== undefined) registerBearerAuth(app, { token: options.authToken });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = errorAnswer(error, request.headers["content-type"]);
    accessLog.failed(request, status, message, error);
    // RFC 9110 section 12.5.3: a 415 for a content coding ought to say which codings are accepted.
    if (status === 415 && isContentCoded(request.headers["content-encoding"])) {
      reply.header("accept-encoding", "identity");
    }
    reply.code(status).type("application/json; charset=utf-8").send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `no route ${request.method} ${request.url.split("?")[0]}`;
    accessLog.failed(request, 404, message, new ProtocolError(404, message));
    reply.code(404).send({ error: message });
  });

  app.get("/v2", async () => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: SERVER_EXTENSIONS }));
  // Probes arrive every few seconds from every kubelet and load balancer: keep them out of info logs.
  const probe = { logLevel: "warn" } as const;
  app.get(LIVE_PATH, probe, async () => ({ live: true }));
  app.get(READY_PATH, probe, async (_request, reply) => {
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

  const stalledReaderTimeoutMs = options.stalledReaderTimeoutMs ?? STALLED_READER_TIMEOUT_MS;
  const handle = inferenceHandler({
    largeBodies,
    hiddenDirectories,
    maxResponseBytes: options.maxResponseBytes,
  });
  const infer = async (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
    const entry = lookup(repository, request.params);
    (request as unknown as ServedRequest)[SERVED_BY] = { model: entry.modelName, version: entry.version };
    const serving = requireReady(entry);
    if (request.body === undefined || request.body === null) {
      throw new ProtocolError(400, "the request needs a JSON body (Content-Type: application/json)");
    }
    const socket = request.raw.socket;
    const encoded = await handle(serving, request.body as RawInferBody, () => socket.destroyed);
    watchReader(reply.raw, bodyBytesOf(encoded.body), stalledReaderTimeoutMs);
    return reply.code(200).headers(encoded.headers).type(encoded.contentType).send(encoded.body);
  };
  // Inference routes' own arrival hook: their metrics (other routes pay nothing for them), and the
  // admission of large bodies (JSON or binary), before any of the body is read.
  const inferRoute = {
    onRequest: (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      trackMetrics?.(reply.raw, () => (request as unknown as ServedRequest)[SERVED_BY] ?? undefined);
      try {
        largeBodies.admit(request.headers, (release) => reply.raw.once("close", release));
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    },
  };
  app.post<{ Params: ModelParams }>("/v2/models/:model/infer", inferRoute, infer);
  app.post<{ Params: ModelParams }>("/v2/models/:model/versions/:version/infer", inferRoute, infer);

  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  installDirectInference(app.server, {
    repository,
    handle,
    maxBodyBytes: Math.min(bodyLimitBytes, largeBodies.thresholdBytes - 1),
    authToken: options.authToken,
    accessLog,
    trackMetrics,
    closing: () => closing,
    stalledReaderTimeoutMs,
    largeBodies,
  });
  limitPipelinedRequests(app.server, (request, response, message) => {
    const id = requestIdOf(request);
    accessLog.failed(
      { id, method: request.method ?? "", url: request.url ?? "" },
      503,
      message,
      new Error(message),
    );
    const body = JSON.stringify({ error: message });
    response.writeHead(503, {
      [REQUEST_ID_HEADER]: id,
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "retry-after": "1",
    });
    response.end(body);
  });
  return app;
}

function bodyBytesOf(body: string | Buffer): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.length;
}
