/**
 * Structure of an inference request (`POST .../infer`) before any tensor data is decoded: checks the
 * JSON envelope and the declared name, datatype and shape of every input.
 */
import { type Datatype, isDatatype } from "../tensor";
import { badRequest } from "./errors";

/** Largest rank accepted (also bounds JSON `data` nesting depth). */
export const MAX_RANK = 32;

/**
 * Most elements one input may declare (2^31 - 1). The shape's product is checked against it before
 * anything is allocated; real bodies are far smaller anyway (the body limit bounds them).
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** One input as declared in the request. `data` is the raw JSON value (absent for binary inputs). */
export interface InputHeader {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly data: unknown;
  /** Bytes of this input in the binary section, when it travels as binary data. */
  readonly binaryDataSize: number | undefined;
}

/** One requested output. */
export interface OutputRequest {
  readonly name: string;
  /** True/false when the request says how this output travels; undefined follows `binary_data_output`. */
  readonly binaryData: boolean | undefined;
}

/** The request envelope. */
export interface InferRequestHeader {
  readonly id: string | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly inputs: readonly InputHeader[];
  /** Outputs asked for; undefined means all of the model's outputs. */
  readonly outputs: readonly OutputRequest[] | undefined;
  /** Request-level `binary_data_output`: return every output not otherwise configured as binary. */
  readonly binaryDataOutput: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Most entries one `parameters` object may hold. */
export const MAX_PARAMETERS = 64;
/** Longest string value (and key) in a `parameters` object, in characters. */
export const MAX_PARAMETER_STRING_CHARS = 1024;

/**
 * A `parameters` object, bounded: at most {@link MAX_PARAMETERS} entries whose values are booleans,
 * numbers or strings (the Open Inference Protocol's parameter types) of bounded length, so a request
 * cannot make the server hold or walk an arbitrary structure.
 */
function parametersOf(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw badRequest(`${where}: "parameters" must be an object`);
  let entries = 0;
  for (const key in value) {
    if (++entries > MAX_PARAMETERS) {
      throw badRequest(`${where}: "parameters" has more than ${MAX_PARAMETERS} entries`);
    }
    const entry = value[key];
    if (key.length > MAX_PARAMETER_STRING_CHARS) {
      throw badRequest(
        `${where}: a "parameters" key is longer than ${MAX_PARAMETER_STRING_CHARS} characters`,
      );
    }
    const kind = typeof entry;
    if (kind === "string") {
      if ((entry as string).length > MAX_PARAMETER_STRING_CHARS) {
        throw badRequest(
          `${where}: parameters.${key} is longer than ${MAX_PARAMETER_STRING_CHARS} characters`,
        );
      }
    } else if (kind !== "boolean" && kind !== "number") {
      throw badRequest(`${where}: parameters.${key} must be a boolean, a number or a string`);
    }
  }
  return value;
}

function optionalBoolean(value: unknown, where: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean")
    throw badRequest(`${where} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function parseInput(raw: unknown, index: number): InputHeader {
  if (!isRecord(raw)) throw badRequest(`inputs[${index}] must be an object`);
  const name = raw.name;
  if (typeof name !== "string" || name === "")
    throw badRequest(`inputs[${index}]: "name" must be a non-empty string`);
  const where = `input "${name}"`;
  const datatype = raw.datatype;
  if (!isDatatype(datatype)) {
    throw badRequest(
      `${where}: datatype ${JSON.stringify(datatype)} is not an Open Inference Protocol datatype`,
    );
  }
  const shape = raw.shape;
  if (!Array.isArray(shape) || shape.some((dim) => !Number.isSafeInteger(dim) || dim < 0)) {
    throw badRequest(
      `${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  if (shape.length > MAX_RANK)
    throw badRequest(`${where}: rank ${shape.length} exceeds the limit of ${MAX_RANK}`);
  const elements = (shape as number[]).reduce((product, dim) => product * dim, 1);
  if (elements > MAX_TENSOR_ELEMENTS) {
    throw badRequest(
      `${where}: shape ${JSON.stringify(shape)} declares more than ${MAX_TENSOR_ELEMENTS} elements`,
    );
  }
  const parameters = parametersOf(raw.parameters, where);
  refuseUnimplementedExtensions(parameters, where);
  const size = parameters.binary_data_size;
  if (size !== undefined && (!Number.isSafeInteger(size) || (size as number) < 0)) {
    throw badRequest(`${where}: parameters.binary_data_size must be a non-negative integer`);
  }
  if (size === undefined && raw.data === undefined) throw badRequest(`${where}: "data" is missing`);
  if (size !== undefined && raw.data !== undefined) {
    throw badRequest(`${where}: give either "data" or parameters.binary_data_size, not both`);
  }
  return {
    name,
    datatype,
    shape: shape as number[],
    parameters,
    data: raw.data,
    binaryDataSize: size as number | undefined,
  };
}

/**
 * Parameters of Triton's protocol extensions that change what an input or output means, which this server
 * does not implement (GET /v2 lists what it does: `binary_tensor_data`). Other unknown parameters are
 * ignored, as the Open Inference Protocol lets a server do; these would be ignored silently and wrongly:
 * `classification` asks for the top classes as BYTES "value:index" strings in place of the raw output
 * (Triton's classification extension), `shared_memory_region` asks for a tensor to be read from or written
 * to a shared-memory region rather than the body (Triton's shared-memory extension).
 */
const UNIMPLEMENTED_EXTENSION_PARAMETERS: Readonly<Record<string, string>> = {
  classification: "the classification extension: ask for the raw output and take its top classes yourself",
  shared_memory_region: "the shared-memory extension: send and receive tensors in the body",
};

function refuseUnimplementedExtensions(parameters: Readonly<Record<string, unknown>>, where: string): void {
  for (const key in UNIMPLEMENTED_EXTENSION_PARAMETERS) {
    if (Object.hasOwn(parameters, key)) {
      throw badRequest(
        `${where}: parameters.${key} asks for ${UNIMPLEMENTED_EXTENSION_PARAMETERS[key]} (this server does not implement it)`,
      );
    }
  }
}

function parseOutput(raw: unknown, index: number): OutputRequest {
  if (!isRecord(raw) || typeof raw.name !== "string" || raw.name === "") {
    throw badRequest(`outputs[${index}] must be an object with a non-empty "name"`);
  }
  const parameters = parametersOf(raw.parameters, `output "${raw.name}"`);
  refuseUnimplementedExtensions(parameters, `output "${raw.name}"`);
  return {
    name: raw.name,
    binaryData: optionalBoolean(parameters.binary_data, `output "${raw.name}": parameters.binary_data`),
  };
}

/** Checks the request envelope; throws 400 naming the field at fault. */
export function parseInferRequestHeader(body: unknown): InferRequestHeader {
  if (!isRecord(body)) throw badRequest("the request body must be a JSON object");
  const id = body.id;
  if (id !== undefined && typeof id !== "string") throw badRequest('"id" must be a string');
  const parameters = parametersOf(body.parameters, "request");
  // Empty for a model without inputs (an ONNX Constant); a model with inputs reports the missing ones.
  if (!Array.isArray(body.inputs)) throw badRequest('"inputs" must be an array');
  const inputs = body.inputs.map(parseInput);
  let outputs: OutputRequest[] | undefined;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw badRequest('"outputs" must be an array');
    outputs = body.outputs.map(parseOutput);
  }
  const binaryDataOutput =
    optionalBoolean(parameters.binary_data_output, "parameters.binary_data_output") ?? false;
  return { id, parameters, inputs, outputs, binaryDataOutput };
}
