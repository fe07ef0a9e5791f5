import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJsonData, encodeJsonData } from "../../server/protocol/json-data";
import type { Datatype, Tensor } from "../../server/tensor";

/** Decodes JSON values, encodes them back to text, and parses the text (with 64-bit values kept exact). */
function roundTrip(datatype: Datatype, values: unknown[]): unknown[] {
  const data = decodeJsonData("x", datatype, [values.length], values);
  const text = encodeJsonData({ name: "x", datatype, shape: [values.length], data } as Tensor);
  // Quote 64-bit integers so they survive JSON.parse in this test.
  return JSON.parse(datatype === "INT64" || datatype === "UINT64" ? text.replace(/(-?\d+)/g, '"$1"') : text);
}

describe("JSON tensor data codec (property tests)", () => {
  const int = (min: number, max: number) => fc.array(fc.integer({ min, max }), { maxLength: 50 });
  it.each([
    ["UINT8", int(0, 255)],
    ["INT8", int(-128, 127)],
    ["UINT16", int(0, 65535)],
    ["INT16", int(-32768, 32767)],
    ["UINT32", int(0, 4294967295)],
    ["INT32", int(-2147483648, 2147483647)],
  ] as const)("%s integers survive decode and encode", (datatype, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (values) => {
        expect(roundTrip(datatype, values)).toEqual(values);
      }),
    );
  });

  it("INT64 and UINT64 decimal strings survive exactly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 30 }),
        (values) => {
          const back = roundTrip("INT64", values.map(String)).map((value) =>
            BigInt(value as string | number),
          );
          expect(back).toEqual(values);
        },
      ),
    );
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 30 }), (values) => {
        const back = roundTrip("UINT64", values.map(String)).map((value) => BigInt(value as string | number));
        expect(back).toEqual(values);
      }),
    );
  });

  it("FP64 values survive exactly, FP32 values as their float32 rounding", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 30 }),
        (values) => {
          expect(roundTrip("FP64", values)).toEqual(values);
          expect(roundTrip("FP32", values)).toEqual(
            values.map((v) => {
              const f = Math.fround(v);
              return Number.isFinite(f) ? f : f > 0 ? "Infinity" : "-Infinity";
            }),
          );
        },
      ),
    );
  });

  it("BYTES strings survive (valid Unicode)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 20 }), (values) => {
        expect(roundTrip("BYTES", values)).toEqual(values);
      }),
    );
  });

  it("nested and flat data give the same row-major storage", () => {
    const flat = decodeJsonData("x", "INT32", [2, 3], [1, 2, 3, 4, 5, 6]);
    const nested = decodeJsonData(
      "x",
      "INT32",
      [2, 3],
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    );
    expect(nested).toEqual(flat);
  });
});

describe("JSON encoding of float outputs", () => {
  const encode = (datatype: "FP32" | "FP64", values: number[]) =>
    encodeJsonData({
      name: "y",
      datatype,
      shape: [values.length],
      data: datatype === "FP32" ? Float32Array.from(values) : Float64Array.from(values),
    } as Tensor);

  it("writes plain finite values as the shortest doubles", () => {
    expect(encode("FP64", [1.5, -2, 0, 1e-7, 123456789.125])).toBe("[1.5,-2,0,1e-7,123456789.125]");
    expect(encode("FP32", [0.1, 3])).toBe("[0.10000000149011612,3]");
    expect(encode("FP32", [])).toBe("[]");
  });

  it.each([
    ["-0", [1, -0, 2], "[1,-0,2]"],
    ["NaN", [1, Number.NaN], '[1,"NaN"]'],
    ["Infinity", [Number.POSITIVE_INFINITY, 0], '["Infinity",0]'],
    ["-Infinity", [2, Number.NEGATIVE_INFINITY], '[2,"-Infinity"]'],
  ])("keeps %s anywhere in the array (the plain path would lose it)", (_, values, text) => {
    expect(encode("FP64", values)).toBe(text);
    expect(encode("FP32", values)).toBe(text);
  });
});
