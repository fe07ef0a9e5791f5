/**
 * A V2 JSON inference request for a model, built from the server's own metadata
 * (`GET /v2/models/{name}`): every input with `rows` rows along a dynamic first dimension (other dynamic
 * dimensions 1), filled with deterministic values of its datatype.
 */

/** One tensor of the V2 model metadata. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/** The parts of the V2 model metadata the profiler reads. */
export interface ModelMetadata {
  readonly name: string;
  readonly inputs: readonly TensorMetadata[];
}

/** True when every input's first dimension is dynamic (-1), so the server can join requests into batches. */
export function isBatchable(metadata: ModelMetadata): boolean {
  return metadata.inputs.length > 0 && metadata.inputs.every((input) => input.shape[0] === -1);
}

function values(datatype: string, count: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    if (datatype === "BOOL") out.push(i % 2 === 0);
    else if (datatype === "BYTES") out.push("onnxfleet");
    else if (datatype.startsWith("FP")) out.push(((i * 37) % 101) / 101);
    else out.push(i % 7);
  }
  return out;
}

/** The request body: each input shaped `[rows, ...]` (fixed dims kept, other dynamic dims 1). */
export function requestBody(metadata: ModelMetadata, rows: number): Buffer {
  const inputs = metadata.inputs.map((input) => {
    const shape = input.shape.map((dim, i) => (dim >= 0 ? dim : i === 0 ? rows : 1));
    const count = shape.reduce((product, dim) => product * dim, 1);
    return { name: input.name, datatype: input.datatype, shape, data: values(input.datatype, count) };
  });
  return Buffer.from(JSON.stringify({ inputs }));
}

/** Rows one request carries: `rows` when the first dimension is dynamic, else the model's fixed first dim. */
export function rowsPerRequest(metadata: ModelMetadata, rows: number): number {
  const first = metadata.inputs[0]?.shape[0];
  return first === undefined || first < 0 ? rows : Math.max(1, first);
}
