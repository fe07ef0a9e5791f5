/**
 * onnxruntime-node's native session, called without its JavaScript wrapper, for sessions on the event
 * loop's thread.
 *
 * onnxruntime-node's `InferenceSession.run` runs the model synchronously on the calling thread, but only
 * after a `setImmediate` (its backend, `dist/backend.js`), behind two promises and onnxruntime-common's
 * argument checks. For a small model that deferral is a measurable share of a request: answering a lone
 * request within the turn that read it, rather than in the loop's check phase after it, made 1.10x the
 * requests/s at one connection on the bench's tiny model (docs/benchmark.md). The native session offers
 * both: {@link NativeSession.run} now, or in a later turn, which is what lets the requests read in one turn
 * join one batch.
 *
 * The binding is onnxruntime-node's own module (`onnxruntime-node/dist/binding`, what its backend uses),
 * not a public entry point. When it is missing or not what this module expects (another onnxruntime-node
 * version), {@link nativeBinding} returns undefined and sessions use the public API instead.
 */
import { createRequire } from "node:module";
import { onnx } from "onnx-proto";
import type { Tensor as OrtTensor } from "onnxruntime-node";
import type { Datatype } from "../tensor";

/** The binding's description of one input or output. */
export interface NativeValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  /** ONNX element type (TensorProto.DataType). */
  readonly type: number;
  /** Dimensions; -1 where the dimension is symbolic or unknown. */
  readonly shape: readonly number[];
}

/** onnxruntime-node's native InferenceSession (what its backend wraps). */
export interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: readonly NativeValueMetadata[];
  readonly outputMetadata: readonly NativeValueMetadata[];
  /** Runs synchronously; `fetches` maps each wanted output name to null. Throws on failure. */
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, OrtTensor>;
  dispose(): void;
}

interface NativeBinding {
  readonly binding: { readonly InferenceSession: new () => NativeSession };
  readonly initOrt: () => void;
}

let loaded: NativeBinding | null | undefined;

/** onnxruntime-node's native binding, initialised, or undefined when this onnxruntime-node has none we know. */
export function nativeBinding(): NativeBinding | undefined {
  if (loaded === undefined) {
    try {
      const candidate = createRequire(require.resolve("onnxruntime-node"))("./binding") as NativeBinding;
      const usable =
        typeof candidate.initOrt === "function" &&
        typeof candidate.binding?.InferenceSession === "function" &&
        typeof candidate.binding.InferenceSession.prototype.run === "function";
      loaded = usable ? candidate : null;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** V2 datatype of each ONNX element type the Open Inference Protocol carries. */
const DATATYPE_OF_ONNX: ReadonlyMap<number, Datatype> = new Map([
  [onnx.TensorProto.DataType.BOOL, "BOOL"],
  [onnx.TensorProto.DataType.UINT8, "UINT8"],
  [onnx.TensorProto.DataType.UINT16, "UINT16"],
  [onnx.TensorProto.DataType.UINT32, "UINT32"],
  [onnx.TensorProto.DataType.UINT64, "UINT64"],
  [onnx.TensorProto.DataType.INT8, "INT8"],
  [onnx.TensorProto.DataType.INT16, "INT16"],
  [onnx.TensorProto.DataType.INT32, "INT32"],
  [onnx.TensorProto.DataType.INT64, "INT64"],
  [onnx.TensorProto.DataType.FLOAT16, "FP16"],
  [onnx.TensorProto.DataType.FLOAT, "FP32"],
  [onnx.TensorProto.DataType.DOUBLE, "FP64"],
  [onnx.TensorProto.DataType.STRING, "BYTES"],
]);

/** The V2 datatype of an ONNX element type, or undefined when V2 has none (e.g. bfloat16). */
export function datatypeOfOnnxType(type: number): Datatype | undefined {
  return DATATYPE_OF_ONNX.get(type);
}

/** The name of an ONNX element type, for messages (e.g. "BFLOAT16"). */
export function onnxTypeName(type: number): string {
  return onnx.TensorProto.DataType[type] ?? `element type ${type}`;
}
