/**
 * Builds small, real ONNX models in code (onnx-proto ModelProto, encoded to bytes) for tests, the demo
 * and benchmarks. Nothing here imports onnxruntime; the bytes are ordinary `.onnx` files.
 */
import { onnx } from "onnx-proto";
import type { Datatype } from "../tensor";

/** ONNX TensorProto element type of each V2 datatype. */
export const ONNX_ELEM_TYPE: Readonly<Record<Datatype, number>> = {
  BOOL: onnx.TensorProto.DataType.BOOL,
  UINT8: onnx.TensorProto.DataType.UINT8,
  UINT16: onnx.TensorProto.DataType.UINT16,
  UINT32: onnx.TensorProto.DataType.UINT32,
  UINT64: onnx.TensorProto.DataType.UINT64,
  INT8: onnx.TensorProto.DataType.INT8,
  INT16: onnx.TensorProto.DataType.INT16,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  FP16: onnx.TensorProto.DataType.FLOAT16,
  FP32: onnx.TensorProto.DataType.FLOAT,
  FP64: onnx.TensorProto.DataType.DOUBLE,
  BYTES: onnx.TensorProto.DataType.STRING,
};

/** A graph input or output: a dim is a fixed size, or a name (symbolic, i.e. dynamic), or null (unknown). */
export interface ValueSpec {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly (number | string | null)[];
}

/** One graph node. */
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** Integer attributes only (enough for the builders here). */
  readonly intAttributes?: Readonly<Record<string, number>>;
}

/** An FP32 initializer (a constant weight). */
export interface Fp32Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
  /** Store the values in an external file at this location (relative to the model) instead of inline. */
  readonly externalLocation?: string;
}

export interface GraphSpec {
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly Fp32Initializer[];
  /** @default "onnxfleet_graph" */
  readonly name?: string;
  /** Default-domain opset. @default 13 */
  readonly opset?: number;
}

function valueInfo(spec: ValueSpec): onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: ONNX_ELEM_TYPE[spec.datatype],
        shape: {
          dim: spec.shape.map((dim) =>
            typeof dim === "number" ? { dimValue: dim } : typeof dim === "string" ? { dimParam: dim } : {},
          ),
        },
      },
    },
  };
}

function initializer(init: Fp32Initializer): onnx.ITensorProto {
  const raw = new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength);
  const base = { name: init.name, dims: [...init.dims], dataType: onnx.TensorProto.DataType.FLOAT };
  if (init.externalLocation === undefined) return { ...base, rawData: raw };
  return {
    ...base,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: "location", value: init.externalLocation },
      { key: "offset", value: "0" },
      { key: "length", value: String(raw.byteLength) },
    ],
  };
}

/** Encodes a graph as a complete ONNX model (IR version 8). */
export function buildModel(graph: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "onnxfleet",
    opsetImport: [{ domain: "", version: graph.opset ?? 13 }],
    graph: {
      name: graph.name ?? "onnxfleet_graph",
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: (graph.initializers ?? []).map(initializer),
      node: graph.nodes.map((node, index) => ({
        opType: node.op,
        name: node.name ?? `${node.op.toLowerCase()}_${index}`,
        input: [...node.inputs],
        output: [...node.outputs],
        attribute: Object.entries(node.intAttributes ?? {}).map(([name, i]) => ({
          name,
          i,
          type: onnx.AttributeProto.AttributeType.INT,
        })),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** `output = Identity(input)` for one datatype and shape (default: dynamic batch of 3 values). */
export function identityModel(
  datatype: Datatype,
  shape: readonly (number | string | null)[] = ["batch", 3],
): Uint8Array {
  return buildModel({
    inputs: [{ name: "input", datatype, shape }],
    outputs: [{ name: "output", datatype, shape }],
    nodes: [{ op: "Identity", inputs: ["input"], outputs: ["output"] }],
  });
}

/** `sum = a + b` (elementwise Add, numeric types) with a fixed or dynamic shape. */
export function addModel(
  datatype: Datatype,
  shape: readonly (number | string | null)[] = ["batch", 4],
): Uint8Array {
  return buildModel({
    inputs: [
      { name: "a", datatype, shape },
      { name: "b", datatype, shape },
    ],
    outputs: [{ name: "sum", datatype, shape }],
    nodes: [{ op: "Add", inputs: ["a", "b"], outputs: ["sum"] }],
  });
}

/**
 * Two inputs and two outputs: `sum = a + b` and `difference = a - b` (FP32), plus a fixed-shape
 * pass-through `flag` (BOOL [2]). Used to test output selection and multi-tensor requests.
 */
export function multiIoModel(): Uint8Array {
  return buildModel({
    inputs: [
      { name: "a", datatype: "FP32", shape: ["batch", 2] },
      { name: "b", datatype: "FP32", shape: ["batch", 2] },
      { name: "flag", datatype: "BOOL", shape: [2] },
    ],
    outputs: [
      { name: "sum", datatype: "FP32", shape: ["batch", 2] },
      { name: "difference", datatype: "FP32", shape: ["batch", 2] },
      { name: "flag_out", datatype: "BOOL", shape: [2] },
    ],
    nodes: [
      { op: "Add", inputs: ["a", "b"], outputs: ["sum"] },
      { op: "Sub", inputs: ["a", "b"], outputs: ["difference"] },
      { op: "Identity", inputs: ["flag"], outputs: ["flag_out"] },
    ],
  });
}

/** Deterministic pseudo-random values in [-scale, scale) (a 32-bit LCG; the same seed gives the same values). */
export function deterministicValues(count: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 4294967296 - 0.5) * 2 * scale;
  }
  return values;
}

export interface MlpOptions {
  /** Seed for the deterministic weights. @default 42 */
  readonly seed?: number;
}

/**
 * A multi-layer perceptron over FP32 with a dynamic batch dimension: input `input` [batch, sizes[0]],
 * output `output` [batch, sizes[last]]; each layer is MatMul + Add, with Relu between layers.
 * Weights are deterministic (scaled by 1/sqrt(fan-in)), so outputs are reproducible.
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Uint8Array {
  if (sizes.length < 2 || sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`mlp: sizes must list at least two positive integers, got [${sizes.join(", ")}]`);
  }
  const seed = options.seed ?? 42;
  const nodes: NodeSpec[] = [];
  const initializers: Fp32Initializer[] = [];
  let current = "input";
  for (let layer = 0; layer + 1 < sizes.length; layer++) {
    const fanIn = sizes[layer]!;
    const fanOut = sizes[layer + 1]!;
    const last = layer + 2 === sizes.length;
    const weight = `layer${layer}.weight`;
    const bias = `layer${layer}.bias`;
    initializers.push(
      {
        name: weight,
        dims: [fanIn, fanOut],
        values: deterministicValues(fanIn * fanOut, seed + layer * 2, 1 / Math.sqrt(fanIn)),
      },
      { name: bias, dims: [fanOut], values: deterministicValues(fanOut, seed + layer * 2 + 1, 0.1) },
    );
    const product = `layer${layer}.matmul`;
    const biased = last ? "output" : `layer${layer}.add`;
    nodes.push({ op: "MatMul", inputs: [current, weight], outputs: [product] });
    nodes.push({ op: "Add", inputs: [product, bias], outputs: [biased] });
    if (!last) {
      nodes.push({ op: "Relu", inputs: [biased], outputs: [`layer${layer}.relu`] });
      current = `layer${layer}.relu`;
    }
  }
  return buildModel({
    name: "mlp",
    inputs: [{ name: "input", datatype: "FP32", shape: ["batch", sizes[0]!] }],
    outputs: [{ name: "output", datatype: "FP32", shape: ["batch", sizes[sizes.length - 1]!] }],
    nodes,
    initializers,
  });
}
