/** Reading ONNX conformance test data (Debian's libonnx-testdata) and comparing served outputs with it. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { Tensor } from "../../server/tensor";
import { readTensorProto } from "./tensor-proto";

/** Where Debian's libonnx-testdata puts its suites. */
export const ONNX_TESTDATA = "/usr/share/libonnx-testdata/data";

/** The `input_N.pb` or `output_N.pb` tensors of one test_data_set directory, in N order. */
export function readSet(dir: string, prefix: "input" | "output"): Tensor[] {
  const files = readdirSync(dir).filter((file) => file.startsWith(`${prefix}_`) && file.endsWith(".pb"));
  files.sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)));
  return files.map((file) => readTensorProto(join(dir, file)));
}

/** A numeric tensor's values as numbers. */
export function asNumbers(tensor: Tensor): number[] {
  if (tensor.datatype === "BYTES") throw new Error("BYTES has no numbers");
  return Array.from(tensor.data as ArrayLike<number | bigint>, Number);
}

/** A V2 JSON data value as a number (booleans 0/1, decimal strings parsed). */
export function jsonValue(value: unknown): number {
  return value === true
    ? 1
    : value === false
      ? 0
      : typeof value === "string"
        ? Number(value)
        : (value as number);
}

/** numpy.testing.assert_allclose's rule, with the ONNX backend tests' tolerances. */
export function expectClose(
  actual: number[],
  expected: number[],
  where: string,
  rtol = 1e-3,
  atol = 1e-5,
): void {
  expect(actual.length, where).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${where}[${i}]`).toBe(true);
    else if (a !== e)
      expect(Math.abs(a - e), `${where}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  }
}
