/**
 * The served models: scanned at construction (bad layouts fail at once), then loaded and warmed up.
 * Readiness is per version and for the whole repository.
 */
import type { InferenceExecutor } from "../executor";
import { verifySha256File } from "../fetch/digest";
import { type ModelMetrics, NO_MODEL_METRICS, withComputeMetrics } from "../metrics/model-metrics";
import type { ModelSignature } from "../runtime/metadata";
import { ModelSession, type SessionOptions } from "../runtime/session";
import { type ModelConfig, pinnedSha256 } from "./model-config";
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
  /** The version's model.onnx, for factories that load more sessions of it. */
  readonly modelPath: string;
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
  state: "loading" | "ready" | "failed";
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

  /** Loads every version and runs one warm-up inference each. Rejects on the first failure. */
  load(): Promise<void> {
    this.loading ??= Promise.all(
      [...this.models.values()].flatMap((model) =>
        model.versions.map((version) => this.loadVersion(version)),
      ),
    ).then(() => undefined);
    return this.loading;
  }

  private async loadVersion(entry: ModelVersion): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const pin = pinnedSha256(entry.config, entry.version, `model "${entry.modelName}" config.json`);
      if (pin !== undefined) await verifySha256File(entry.modelPath, pin);
      const session = await ModelSession.load(entry.modelPath, this.options.session);
      entry.session = session;
      entry.signature = session.signature;
      await session.infer(
        warmupRequest(entry.config, session.signature),
        session.signature.outputs.map((output) => output.name),
      );
      const createExecutor = this.options.createExecutor ?? defaultExecutorFactory;
      entry.executor = await createExecutor({
        modelName: entry.modelName,
        version: entry.version,
        config: entry.config,
        session,
        metrics: this.options.metricsFor?.(entry.modelName, entry.version) ?? NO_MODEL_METRICS,
        modelPath: entry.modelPath,
      });
      entry.state = "ready";
      this.options.onVersionLoaded?.({
        modelName: entry.modelName,
        version: entry.version,
        durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    } catch (error) {
      entry.state = "failed";
      throw new Error(`model "${entry.modelName}" version ${entry.version}: ${(error as Error).message}`);
    }
  }

  /** True once every version has loaded and warmed up. */
  get ready(): boolean {
    return [...this.models.values()].every((model) =>
      model.versions.every((version) => version.state === "ready"),
    );
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
