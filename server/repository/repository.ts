/**
 * The served models: scanned at construction (bad layouts fail at once), then loaded and warmed up.
 * Readiness is per version and for the whole repository (docs/server-faults.md):
 * - a version is `ready` once loaded and warmed up, `unavailable` while its executor has no working
 *   instance (a worker being restarted), `failed` when it could not load;
 * - the repository is ready once no version is still loading, at least one is ready, and (with
 *   `exitOnError`, the default) none failed.
 * A synthesised warm-up that fails is a warning (the model may only reject zeros); a configured `warmup`
 * that fails is a load failure.
 */
import type { InferenceExecutor } from "../executor";
import { type ModelMetrics, NO_MODEL_METRICS, withComputeMetrics } from "../metrics/model-metrics";
import type { ModelSignature } from "../runtime/metadata";
import { ModelSession, type ModelSource, type SessionOptions } from "../runtime/session";
import { type ModelConfig, pinnedSha256 } from "./model-config";
import { readModelSource } from "./model-source";
import { type ScannedModel, scanRepository } from "./scan";
import { warmupRequest } from "./warmup";

/** What an {@link ExecutorFactory} gets to build one model version's executor. */
export interface ExecutorContext {
  readonly modelName: string;
  readonly version: string;
  readonly config: ModelConfig;
  readonly session: ModelSession;
  /** Where this version's executor reports queue depth, queue time, batch rows and compute time. */
  readonly metrics: ModelMetrics;
  /** The version's model.onnx as read and checked once, for factories that create more sessions of it. */
  readonly model: ModelSource;
  /**
   * For executors whose instances can fail and come back: whether at least one works now. The version
   * reads `unavailable` (503, unready) while false.
   */
  readonly setAvailable: (available: boolean) => void;
  /** For warnings worth an operator's attention (a synthesised warm-up that failed). */
  readonly warn: (message: string) => void;
}

/**
 * Builds the executor of one model version (it may load more sessions: the version turns ready once the
 * promise settles). The default returns the session itself.
 */
export type ExecutorFactory = (context: ExecutorContext) => InferenceExecutor | Promise<InferenceExecutor>;

export const defaultExecutorFactory: ExecutorFactory = (context) =>
  withComputeMetrics(context.session, context.metrics);

export interface ModelRepositoryOptions {
  /** The repository directory. */
  readonly root: string;
  /** onnxruntime session settings for every model. @default - CPU, onnxruntime's thread choice */
  readonly session?: SessionOptions;
  /** Builds each version's executor. @default - the session itself ({@link defaultExecutorFactory}) */
  readonly createExecutor?: ExecutorFactory;
  /**
   * The metrics hooks of each version, handed to its executor factory (`ExecutorContext.metrics`).
   * @default - hooks that record nothing
   */
  readonly metricsFor?: (modelName: string, version: string) => ModelMetrics;
  /**
   * Called once per version when it has loaded and warmed up, with the time that took (logs, metrics).
   * @default - nothing
   */
  readonly onVersionLoaded?: (event: VersionLoadedEvent) => void;
  /**
   * Whether one version that fails to load fails the whole load (`load()` rejects; the server exits, like
   * Triton's `--exit-on-error`), or is reported unready while the others serve (`load()` resolves).
   * @default true
   */
  readonly exitOnError?: boolean;
  /** Called with warnings (a synthesised warm-up that failed, a version that failed to load). @default - nothing */
  readonly onWarning?: (event: VersionWarningEvent) => void;
}

/** Something about one model version an operator should know, though it does not stop the server. */
export interface VersionWarningEvent {
  readonly modelName: string;
  readonly version: string;
  readonly message: string;
}

/** One model version finished loading and warming up. */
export interface VersionLoadedEvent {
  readonly modelName: string;
  readonly version: string;
  /** Load plus warm-up time, in seconds. */
  readonly durationSeconds: number;
}

/** One served model version. `signature`/`executor` are set once loaded. */
export interface ModelVersion {
  readonly modelName: string;
  readonly version: string;
  readonly modelPath: string;
  readonly config: ModelConfig;
  state: "loading" | "ready" | "unavailable" | "failed";
  /** Why the version failed to load (state `failed`). */
  failure?: string;
  signature?: ModelSignature;
  executor?: InferenceExecutor;
  session?: ModelSession;
}

/** One served model and its versions (ascending); the highest is the default. */
export interface ServedModel {
  readonly name: string;
  readonly config: ModelConfig;
  readonly versions: readonly ModelVersion[];
}

export class ModelRepository {
  readonly models: ReadonlyMap<string, ServedModel>;
  private loading: Promise<void> | undefined;

  /** Scans `options.root` (throws RepositoryError on bad names, paths or configs); loads nothing yet. */
  constructor(private readonly options: ModelRepositoryOptions) {
    this.models = new Map(scanRepository(options.root).map((model) => [model.name, served(model)]));
  }

  /** The repository's directory, as given. */
  get root(): string {
    return this.options.root;
  }

  /**
   * Loads every version and runs one warm-up inference each. With `exitOnError` (the default) it rejects
   * on the first failure; without, it resolves once every version has loaded or failed.
   */
  load(): Promise<void> {
    const versions = [...this.models.values()].flatMap((model) => model.versions);
    this.loading ??=
      (this.options.exitOnError ?? true)
        ? Promise.all(versions.map((version) => this.loadVersion(version))).then(() => undefined)
        : Promise.all(
            versions.map((version) =>
              this.loadVersion(version).catch((error: Error) =>
                this.warn(version, `not served: ${error.message}`),
              ),
            ),
          ).then(() => undefined);
    return this.loading;
  }

  private warn(entry: ModelVersion, message: string): void {
    this.options.onWarning?.({ modelName: entry.modelName, version: entry.version, message });
  }

  private async loadVersion(entry: ModelVersion): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const pin = pinnedSha256(entry.config, entry.version, `model "${entry.modelName}" config.json`);
      const model = await readModelSource(entry.modelPath, pin);
      const session = await ModelSession.load(model, this.options.session);
      entry.session = session;
      entry.signature = session.signature;
      const warn = (message: string) => this.warn(entry, message);
      await warmUp(session, entry.config, warn);
      const createExecutor = this.options.createExecutor ?? defaultExecutorFactory;
      entry.executor = await createExecutor({
        modelName: entry.modelName,
        version: entry.version,
        config: entry.config,
        session,
        metrics: this.options.metricsFor?.(entry.modelName, entry.version) ?? NO_MODEL_METRICS,
        model,
        setAvailable: (available) => {
          if (entry.state === "ready" || entry.state === "unavailable") {
            entry.state = available ? "ready" : "unavailable";
          }
        },
        warn,
      });
      entry.state = "ready";
      this.options.onVersionLoaded?.({
        modelName: entry.modelName,
        version: entry.version,
        durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    } catch (error) {
      entry.state = "failed";
      entry.failure = (error as Error).message;
      throw new Error(`model "${entry.modelName}" version ${entry.version}: ${(error as Error).message}`);
    }
  }

  /**
   * True once no version is loading, at least one is ready, and (with `exitOnError`) none failed: a
   * version without a working instance leaves the server ready only while another version serves.
   */
  get ready(): boolean {
    const states = [...this.models.values()].flatMap((model) => model.versions.map((v) => v.state));
    if (states.includes("loading") || !states.includes("ready")) return false;
    return !((this.options.exitOnError ?? true) && states.includes("failed"));
  }

  /** The model's version `version`, or its default (highest) version; undefined when not served. */
  find(modelName: string, version?: string): ModelVersion | undefined {
    const model = this.models.get(modelName);
    if (model === undefined) return undefined;
    if (version === undefined) return model.versions[model.versions.length - 1];
    return model.versions.find((entry) => entry.version === version);
  }

  /** Closes every executor (when it is not the session itself), then releases every loaded session. */
  async close(): Promise<void> {
    await this.loading?.catch(() => undefined);
    for (const model of this.models.values()) {
      for (const version of model.versions) {
        if (version.executor !== version.session) await version.executor?.close?.();
        await version.session?.release();
        version.session = undefined;
        version.executor = undefined;
        version.state = "loading";
      }
    }
  }
}

/**
 * Runs the version's warm-up on its session. A configured warm-up must succeed; a synthesised one (zeros)
 * is only a smoke test: a valid model may reject it (integer division by zero, a shape input of zeros),
 * so its failure is a warning and the model is served.
 */
async function warmUp(session: ModelSession, config: ModelConfig, warn: (message: string) => void) {
  const outputNames = session.signature.outputs.map((output) => output.name);
  const inputs = warmupRequest(config, session.signature);
  try {
    await session.infer(inputs, outputNames);
  } catch (error) {
    if (config.warmup !== undefined) throw error;
    warn(
      `the synthesised warm-up (zeros, dynamic dimensions 1) failed, so the model is served without ` +
        `one: ${(error as Error).message}. Give config.json a "warmup" request to warm it up`,
    );
  }
}

function served(model: ScannedModel): ServedModel {
  return {
    name: model.name,
    config: model.config,
    versions: model.versions.map((version) => ({
      modelName: model.name,
      version: String(version.version),
      modelPath: version.modelPath,
      config: model.config,
      state: "loading",
    })),
  };
}
