/**
 * `onnxfleet-server`: config -> scan the repository -> listen (live at once, ready once every model has
 * loaded and warmed up) -> close gracefully on SIGTERM/SIGINT.
 */
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app";
import { batchingExecutorFactory } from "./batching/executor-factory";
import { helpText, loadConfig } from "./config";
import { createLogger } from "./logger";
import { ModelRepository } from "./repository/repository";

/** A running server, for callers that start it in-process (tests, the demo). */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly repository: ModelRepository;
  /** The bound address, e.g. http://127.0.0.1:8000. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the server from command-line arguments and environment; resolves once models are loaded. */
export async function start(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer> {
  const config = loadConfig(argv, env);
  const logger = createLogger(config.logLevel);
  const repository = new ModelRepository({
    root: config.modelRepository,
    session: { executionProvider: config.executionProvider, intraOpThreads: config.intraOpThreads },
    createExecutor: batchingExecutorFactory(config, logger),
  });
  const app = buildApp({ repository, bodyLimitBytes: config.bodyLimitBytes, logger });
  const url = await app.listen({ port: config.httpPort, host: config.host });
  const close = async () => {
    await app.close();
    await repository.close();
  };
  try {
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
  return { app, repository, url, close };
}

/**
 * The `onnxfleet-server` entry point (bin/onnxfleet-server.cjs): starts the server and exits the process
 * on SIGTERM/SIGINT once it has closed.
 */
export async function main(argv: string[]): Promise<RunningServer | undefined> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(helpText());
    return undefined;
  }
  const server = await start(argv);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  return server;
}
