/**
 * `onnxfleet-server`: config -> scan the repository -> listen (live at once, ready once every model has
 * loaded and warmed up) -> drain gracefully on SIGTERM (see server/lifecycle) and exit.
 */
import type { Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { buildApp } from "./app";
import { batchingExecutorFactory } from "./batching/executor-factory";
import { intraOpThreadsOn } from "./batching/model-settings";
import { envVarOf, helpText, loadConfig, type ServerConfig } from "./config";
import { fetchMain } from "./fetch/cli";
import { DrainController, exitOnShutdownSignal } from "./lifecycle";
import { warmNextTick } from "./lifecycle/tick-warmup";
import { createLogger } from "./logger";
import { createServerMetrics, modelMetricsFor, startMetricsServer } from "./metrics";
import { ModelRepository } from "./repository/repository";
import { assertCudaProviderInstalled, stopWorkerThreads, workerThreadsBusy } from "./runtime";
import { loadAuthToken } from "./security";

/** A running server, for callers that start it in-process (tests, the demo). */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly repository: ModelRepository;
  /** The bound address, e.g. http://127.0.0.1:8000. */
  readonly url: string;
  /** The separate metrics listener's address (`--metrics-port`), or undefined when on `url`. */
  readonly metricsUrl: string | undefined;
  /** Readiness and the graceful drain; `drain.shutdown()` is what SIGTERM runs. */
  readonly drain: DrainController;
  /** Closes everything at once, without the drain (tests, embedding). */
  close(): Promise<void>;
}

/** The configuration as logged at start-up: secrets left out. */
function loggableConfig(config: ServerConfig): Record<string, unknown> {
  const { authToken, ...rest } = config;
  return { ...rest, authToken: authToken === undefined ? undefined : "(set)" };
}

/** Closes the metrics listener and every connection on it at once: a scrape is cheap to retry, and a slow
 * client there must not hold the exit. */
function closeMetricsServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** A listen failure in words that say what to change: the flag and its environment variable. */
function listenError(error: NodeJS.ErrnoException, flag: string, host: string, port: number): Error {
  const change = `choose another port with --${flag} (${envVarOf(flag)})`;
  if (error.code === "EADDRINUSE") {
    return new Error(`port ${port} on ${host} is already in use by another process; ${change}`);
  }
  if (error.code === "EACCES") {
    return new Error(`port ${port} on ${host} needs privileges this process does not have; ${change}`);
  }
  return error;
}

/** Options of {@link start} for in-process callers. */
export interface StartOptions {
  /** Where the JSON log lines go. @default - stdout */
  readonly logDestination?: DestinationStream;
}

/** Starts the server from command-line arguments and environment; resolves once models are loaded. */
export async function start(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  options: StartOptions = {},
): Promise<RunningServer> {
  const config = loadConfig(argv, env);
  const logger = createLogger(config.logLevel, options.logDestination);
  logger.info({ config: loggableConfig(config) }, "starting onnxfleet-server");
  // Exit at once, naming the library and the image, rather than fail every model load behind a probe loop.
  if (config.executionProvider === "cuda") assertCudaProviderInstalled();
  const authToken = loadAuthToken({ tokenFile: config.authTokenFile, token: config.authToken });
  const metrics = createServerMetrics();
  const repository = new ModelRepository({
    root: config.modelRepository,
    // The repository's session serves as a main-thread instance (see executor-factory.ts); a version whose
    // instances go to worker threads only reads its metadata and times its warm-up with it.
    session: {
      executionProvider: config.executionProvider,
      intraOpThreads: intraOpThreadsOn(config.intraOpThreads, "main"),
    },
    metricsFor: (modelName, version) => modelMetricsFor(metrics, modelName, version),
    onVersionLoaded: ({ modelName, version, durationSeconds }) => {
      metrics.modelLoadDuration.observe({ model: modelName, version }, durationSeconds);
      logger.info({ model: modelName, version, durationSeconds }, "model loaded and warmed up");
    },
    createExecutor: batchingExecutorFactory(config, logger),
    exitOnError: config.exitOnError,
    onWarning: ({ modelName, version, message }) => logger.warn({ model: modelName, version }, message),
  });
  let drain: DrainController | undefined;
  const app = buildApp({
    repository,
    bodyLimitBytes: config.bodyLimitBytes,
    headersTimeoutMs: config.headersTimeoutSeconds * 1000,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
    maxConnections: config.maxConnections,
    maxResponseBytes: config.maxResponseBytes,
    largeBodiesBudgetBytes: config.largeBodiesBudgetBytes,
    logger,
    accessLogSampleRate: config.accessLogSampleRate,
    acceptingTraffic: () => drain?.ready ?? true,
    authToken,
    metrics,
    serveMetrics: config.metricsPort === undefined,
  });
  let metricsServer: Server | undefined;
  const close = async () => {
    await app.close();
    await repository.close();
    await closeMetricsServer(metricsServer);
  };
  drain = new DrainController(app.server, {
    drainDelayMs: config.drainDelaySeconds * 1000,
    shutdownTimeoutMs: config.shutdownTimeoutSeconds * 1000,
    logger,
    beforeExit: close,
    terminateWork: async (timeoutMs) => {
      await closeMetricsServer(metricsServer);
      const running = await stopWorkerThreads(timeoutMs);
      if (running > 0) {
        logger.error(
          { workerThreads: running },
          "worker threads are still inside onnxruntime at the deadline: the process ends by signal, not exit",
        );
      }
    },
  });
  const url = await app
    .listen({ port: config.httpPort, host: config.host })
    .catch((error: NodeJS.ErrnoException) => {
      throw listenError(error, "http-port", config.host, config.httpPort);
    });
  let metricsUrl: string | undefined;
  try {
    if (config.metricsPort !== undefined) {
      const metricsPort = config.metricsPort;
      metricsServer = await startMetricsServer({
        registry: metrics.registry,
        port: metricsPort,
        host: config.host,
      }).catch((error: NodeJS.ErrnoException) => {
        throw listenError(error, "metrics-port", config.host, metricsPort);
      });
      const address = metricsServer.address();
      if (address !== null && typeof address === "object") {
        metricsUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      }
      logger.info({ metricsUrl }, "serving /metrics on a separate port");
    }
    await repository.load();
  } catch (error) {
    await close();
    throw error;
  }
  const models = [...repository.models.values()].map((model) => ({
    name: model.name,
    versions: model.versions.map((version) => version.version),
  }));
  logger.info({ models, url }, "models loaded and warmed up; ready");
  return { app, repository, url, metricsUrl, drain, close };
}

/**
 * The `onnxfleet-server` entry point (bin/onnxfleet-server.cjs): starts the server; on SIGTERM/SIGINT it
 * drains and exits the process with the drain's exit code.
 */
export async function main(argv: string[]): Promise<RunningServer | undefined> {
  if (argv[0] === "fetch") process.exit(await fetchMain(argv.slice(1)));
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(helpText());
    return undefined;
  }
  await warmNextTick();
  const server = await start(argv);
  exitOnShutdownSignal(server.drain, { logger: server.app.log, exit: exitProcess });
  return server;
}

/**
 * Ends the process with `code`, unless a worker thread is still inside onnxruntime: `process.exit` joins
 * every thread, and a thread stopped in onnxruntime aborts the process (SIGABRT, a core dump and a
 * misleading crash) when its run returns. Then the process ends by SIGTERM's default action instead,
 * at once (exit status 143: terminated, as the orchestrator asked).
 */
function exitProcess(code: number): void {
  if (workerThreadsBusy() === 0) process.exit(code);
  process.removeAllListeners("SIGTERM");
  process.kill(process.pid, "SIGTERM");
}
