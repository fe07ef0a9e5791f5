import { dirname } from "node:path";
import type { InferenceSession as OrtSession } from "onnxruntime-node";
import * as ort from "onnxruntime-node";
import type { InferenceExecutor, InferOptions } from "../executor";
import type { Datatype, Tensor } from "../tensor";
import { datatypeOfOrtType, fromOrtTensor, toOrtTensor } from "./convert";
import type { ExecutionProvider } from "./execution-providers";
import type { ModelSignature, TensorMetadata } from "./metadata";
import {
  datatypeOfOnnxType,
  type NativeSession,
  type NativeValueMetadata,
  nativeBinding,
  onnxTypeName,
} from "./native-session";

export { EXECUTION_PROVIDERS, type ExecutionProvider } from "./execution-providers";

// onnxruntime's own log lines are not JSON and would break the server's structured logs; every failure
// reaches us as an exception carrying the same message, so only fatal native lines are let through.
ort.env.logLevel = "fatal";

export interface SessionOptions {
  /** @default "cpu" */
  readonly executionProvider?: ExecutionProvider;
  /** Threads onnxruntime uses inside one operator; 0 lets onnxruntime choose. @default 0 */
  readonly intraOpThreads?: number;
  /**
   * Let onnxruntime's intra-op threads spin (busy-wait) between operators instead of sleeping. Off by
   * default here; the batching executor turns it on for worker-thread sessions (`--intra-op-spinning`,
   * measured in docs/server.md).
   * @default false
   */
  readonly allowSpinning?: boolean;
  /**
   * Call onnxruntime-node's native session directly where its binding is one this server knows
   * (./native-session.ts): runs without its wrapper, and within the call when asked (`runNow`). False uses
   * onnxruntime-node's public API, which runs every call in a later turn of the event loop.
   * @default true
   */
  readonly nativeBinding?: boolean;
}

/**
 * A model file's bytes, read (and, when pinned, hashed) once: every session of the version, on the main
 * thread or a worker, is created from these very bytes, never from the path again, so a file swapped
 * after it was checked is never served. `path` names the model in messages and locates external data.
 */
export interface ModelSource {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** onnxruntime session options for {@link SessionOptions} (shared by main-thread and worker sessions). */
export function ortSessionOptions(options: SessionOptions, modelPath: string): OrtSession.SessionOptions {
  return {
    executionProviders: [options.executionProvider ?? "cpu"],
    intraOpNumThreads: options.intraOpThreads ?? 0,
    graphOptimizationLevel: "all",
    logSeverityLevel: 4,
    extra: {
      session: {
        intra_op: { allow_spinning: options.allowSpinning ? "1" : "0" },
        // A model created from bytes finds its external data files (checked to sit beside it, see
        // server/repository/external-data.ts) in the directory of the file the bytes came from.
        model_external_initializers_file_folder_path: dirname(modelPath),
      },
    },
  };
}

/**
 * What `--execution-provider webgpu` needs, said when a session cannot be created with it. onnxruntime-node's
 * WebGPU provider is Dawn, which on Linux reaches the GPU through Vulkan: the Vulkan loader (`libvulkan.so.1`)
 * and an installable client driver (ICD) for the device must be visible to the process. In a container on
 * an NVIDIA node the NVIDIA Container Toolkit mounts the driver's Vulkan ICD only when
 * `NVIDIA_DRIVER_CAPABILITIES` includes `graphics`
 * (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/user-guide.html, "Driver Capabilities").
 */
export const webGpuLoadHint =
  "The WebGPU provider (Dawn over Vulkan) found no usable adapter: the process needs the Vulkan loader " +
  "(libvulkan.so.1) and a Vulkan driver for its device (in a container on an NVIDIA node, " +
  "NVIDIA_DRIVER_CAPABILITIES must include graphics; without a GPU, Mesa's lavapipe 23 or newer); " +
  "use --execution-provider cpu where there is none.";

/** Thrown when a model cannot be loaded; the message names the file and the cause. */
export class ModelLoadError extends Error {
  override readonly name = "ModelLoadError";
}

/** A loaded ONNX model: its V2 signature and a way to run it. The default {@link InferenceExecutor}. */
export class ModelSession implements InferenceExecutor {
  private constructor(
    /** onnxruntime-node's native session, where its binding is one we know (see ./native-session.ts). */
    private readonly native: NativeSession | undefined,
    /** The public API's session otherwise. */
    private readonly session: OrtSession | undefined,
    readonly signature: ModelSignature,
  ) {}

  /** Creates an onnxruntime session from the model's bytes with the given execution provider and threads. */
  static async load(model: ModelSource, options: SessionOptions = {}): Promise<ModelSession> {
    const modelPath = model.path;
    const sessionOptions = ortSessionOptions(options, modelPath);
    const binding = options.nativeBinding === false ? undefined : nativeBinding();
    try {
      if (binding !== undefined) {
        binding.initOrt();
        const native = new binding.binding.InferenceSession();
        const { bytes } = model;
        native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, sessionOptions);
        try {
          return new ModelSession(native, undefined, {
            inputs: native.inputMetadata.map((meta) => nativeTensorMetadata(modelPath, "input", meta)),
            outputs: native.outputMetadata.map((meta) => nativeTensorMetadata(modelPath, "output", meta)),
          });
        } catch (error) {
          native.dispose();
          throw error;
        }
      }
      const session = await ort.InferenceSession.create(model.bytes, sessionOptions);
      return new ModelSession(undefined, session, {
        inputs: session.inputMetadata.map((meta) => publicTensorMetadata(modelPath, "input", meta)),
        outputs: session.outputMetadata.map((meta) => publicTensorMetadata(modelPath, "output", meta)),
      });
    } catch (error) {
      if (error instanceof ModelLoadError) throw error;
      throw loadError(modelPath, options.executionProvider ?? "cpu", (error as Error).message.trim());
    }
  }

  /**
   * Runs the model. With `runNow` (the batcher's lone request, the first of its event-loop turn) the run
   * happens within this call; otherwise in a later turn, after the requests read in this one have queued
   * behind it, as onnxruntime-node's own `run` does.
   */
  infer(
    inputs: readonly Tensor[],
    outputNames: readonly string[],
    options?: InferOptions,
  ): Promise<Tensor[]> {
    const native = this.native;
    if (native === undefined) return this.inferWithPublicApi(inputs, outputNames);
    let feeds: Record<string, ort.Tensor>;
    const fetches: Record<string, null> = {};
    try {
      feeds = {};
      for (const input of inputs) feeds[input.name] = toOrtTensor(input);
      for (const name of outputNames) fetches[name] = null;
    } catch (error) {
      return Promise.reject(error);
    }
    if (options?.runNow === true) {
      try {
        return Promise.resolve(outputsOf(native.run(feeds, fetches, NO_RUN_OPTIONS), outputNames));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(outputsOf(native.run(feeds, fetches, NO_RUN_OPTIONS), outputNames));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  private inferWithPublicApi(inputs: readonly Tensor[], outputNames: readonly string[]): Promise<Tensor[]> {
    // One promise reaction, not an async function's own promise and await on top of onnxruntime's: a small
    // model's run is short enough for each to show (docs/benchmark.md). Failures still arrive as rejections.
    let run: Promise<OrtSession.ReturnType>;
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of inputs) feeds[input.name] = toOrtTensor(input);
      // onnxruntime only reads the list of fetches.
      run = this.session!.run(feeds, outputNames as string[]);
    } catch (error) {
      return Promise.reject(error);
    }
    return run.then((results) => outputsOf(results as Record<string, ort.Tensor>, outputNames));
  }

  private released = false;

  /** Frees the native session (once; later calls do nothing). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.native !== undefined) this.native.dispose();
    else await this.session!.release();
  }
}

const NO_RUN_OPTIONS = {};

/** The named outputs of a run, in the order asked, as server tensors. */
function outputsOf(results: Record<string, ort.Tensor>, outputNames: readonly string[]): Tensor[] {
  return outputNames.map((name) => {
    const value = results[name];
    if (value === undefined) throw new Error(`onnxruntime returned no output "${name}"`);
    return fromOrtTensor(name, value);
  });
}

/** Why a model could not be loaded with `provider`, naming the file and what that provider needs. */
function loadError(modelPath: string, provider: ExecutionProvider, cause: string): ModelLoadError {
  if (provider === "cuda") {
    return new ModelLoadError(
      `cannot load ${modelPath} with --execution-provider cuda: ${cause}. The CUDA provider needs ` +
        `onnxruntime-node's CUDA binaries (installed with ONNXRUNTIME_NODE_INSTALL=cuda12 on a GPU host) ` +
        `and a GPU; use --execution-provider cpu where they are absent.`,
    );
  }
  if (provider === "webgpu") {
    return new ModelLoadError(
      `cannot load ${modelPath} with --execution-provider webgpu: ${cause}. ${webGpuLoadHint}`,
    );
  }
  return new ModelLoadError(`cannot load ${modelPath}: ${cause}`);
}

/** One input or output, however onnxruntime-node described it: what {@link tensorMetadata} checks. */
interface DescribedValue {
  readonly name: string;
  readonly isTensor: boolean;
  /** Its V2 datatype, undefined when V2 has none (or it is no tensor). */
  readonly datatype: Datatype | undefined;
  /** Its element type's name, for the message when V2 has none. */
  readonly typeName: string;
  /** Dimensions: numbers, with symbolic or unknown ones as -1 or a name. */
  readonly shape: readonly (number | string)[];
}

/** V2 metadata of one input or output, as the native binding describes it. */
function nativeTensorMetadata(
  modelPath: string,
  direction: "input" | "output",
  meta: NativeValueMetadata,
): TensorMetadata {
  const { name, isTensor, type, shape } = meta;
  const described = {
    name,
    isTensor,
    datatype: datatypeOfOnnxType(type),
    typeName: onnxTypeName(type),
    shape,
  };
  return tensorMetadata(modelPath, direction, described);
}

/** V2 metadata of one input or output, as onnxruntime-node's public API describes it. */
function publicTensorMetadata(
  modelPath: string,
  direction: "input" | "output",
  meta: OrtSession.ValueMetadata,
): TensorMetadata {
  const tensor = meta.isTensor ? meta : undefined;
  return tensorMetadata(modelPath, direction, {
    name: meta.name,
    isTensor: meta.isTensor,
    datatype: tensor === undefined ? undefined : datatypeOfOrtType(tensor.type),
    typeName: tensor?.type ?? "",
    shape: tensor?.shape ?? [],
  });
}

/** V2 metadata of a described input or output; a ModelLoadError when V2 cannot serve it. */
function tensorMetadata(
  modelPath: string,
  direction: "input" | "output",
  meta: DescribedValue,
): TensorMetadata {
  if (!meta.isTensor) {
    throw new ModelLoadError(
      `${modelPath}: ${direction} "${meta.name}" is not a tensor (sequences and maps are not served)`,
    );
  }
  if (meta.datatype === undefined) {
    throw new ModelLoadError(
      `${modelPath}: ${direction} "${meta.name}" has element type ${meta.typeName}, which the Open Inference Protocol cannot carry`,
    );
  }
  const shape = meta.shape.map((dim) => (typeof dim === "number" && dim >= 0 ? dim : -1));
  return { name: meta.name, datatype: meta.datatype, shape };
}
