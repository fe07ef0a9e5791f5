import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_FAST_BODY_BYTES, parseJsonWithNumberArrays } from "../../../server/protocol/json-numbers";

/** The parse with every Float64Array turned back into a plain array, for comparison with JSON.parse. */
function parsedPlain(text: string): unknown {
  return plain(parseJsonWithNumberArrays(Buffer.from(text, "utf8")));
}

function plain(value: unknown): unknown {
  if (value instanceof Float64Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

/** Numbers as JSON writes them, and as people write them: exponents, leading zeros after the point, long. */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc
    .tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 10 ** 9 }))
    .map(([whole, fraction]) => `${whole}.${String(fraction).padStart(9, "0")}`),
  fc
    .tuple(
      fc.integer({ min: -9, max: 9 }),
      fc.nat(999),
      fc.constantFrom("e", "E"),
      fc.integer({ min: -320, max: 310 }),
    )
    .map(([lead, rest, e, exponent]) => `${lead}.${rest}${e}${exponent >= 0 ? "+" : ""}${exponent}`),
  fc.constantFrom("0", "-0", "0.0", "1e400", "-1e-400", "123456789012345678901234567890", "0.1", "2.5e-324"),
);

const whitespace = fc.constantFrom("", " ", "\n", "\t ", "\r\n  ");

describe("parseJsonWithNumberArrays", () => {
  it("gives exactly the doubles JSON.parse gives, for any number text and spacing", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(numberText, whitespace), { minLength: 64, maxLength: 300 }), (items) => {
        const array = `[${items.map(([number, space]) => `${space}${number}${space}`).join(",")}]`;
        // Trailing spaces (valid JSON) bring short bodies up to the size the fast path reads.
        const text =
          `{"inputs":[{"name":"x","datatype":"FP64","shape":[${items.length}],"data":${array}}]}`.padEnd(
            MIN_FAST_BODY_BYTES,
          );
        const fast = parseJsonWithNumberArrays(Buffer.from(text)) as { inputs: { data: unknown }[] };
        const expected = (JSON.parse(text) as { inputs: { data: number[] }[] }).inputs[0]!.data;
        const data = fast.inputs[0]!.data;
        expect(data).toBeInstanceOf(Float64Array);
        const values = Array.from(data as Float64Array);
        expect(values.length).toBe(expected.length);
        const differing = values.filter((value, index) => !Object.is(value, expected[index]));
        expect(differing).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("equals JSON.parse on any JSON value, wherever a long number array sits in it", () => {
    const longArray = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
      minLength: 64,
      maxLength: 80,
    });
    const body = fc.record({
      inputs: fc.array(
        fc.record({ name: fc.string(), data: fc.oneof(longArray, fc.jsonValue({ maxDepth: 2 })) }),
        { maxLength: 3 },
      ),
      parameters: fc.record({
        data: fc.oneof(longArray, fc.jsonValue({ maxDepth: 2 })),
        other: fc.jsonValue(),
      }),
      extra: fc.jsonValue({ maxDepth: 3 }),
    });
    fc.assert(
      fc.property(body, (value) => {
        const text = JSON.stringify(value);
        expect(parsedPlain(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("reads the inputs' number arrays itself, and leaves the rest as JSON.parse makes it", () => {
    const numbers = Array.from({ length: 100 }, (_, index) => index / 7);
    const text = JSON.stringify({
      inputs: [
        { name: "a", data: numbers },
        { name: "b", data: numbers.map(String) },
        { name: "c", data: [numbers.slice(0, 70), numbers.slice(0, 70)] },
        { name: "d", data: numbers.slice(0, 10) },
      ],
      parameters: { data: numbers },
    });
    const parsed = parseJsonWithNumberArrays(Buffer.from(text)) as {
      inputs: { data: unknown }[];
      parameters: { data: unknown };
    };
    expect(parsed.inputs.map((input) => input.data instanceof Float64Array)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(Array.from(parsed.inputs[0]!.data as Float64Array)).toEqual(numbers);
    expect(parsed.parameters.data).toEqual(numbers);
  });

  it("leaves a body under MIN_FAST_BODY_BYTES to JSON.parse whole: a one-row request costs no scan", () => {
    const numbers = Array.from({ length: 100 }, (_, index) => index);
    const text = JSON.stringify({
      inputs: [{ name: "x", datatype: "FP32", shape: [1, 100], data: numbers }],
    });
    expect(text.length).toBeLessThan(MIN_FAST_BODY_BYTES);
    const parsed = parseJsonWithNumberArrays(Buffer.from(text)) as { inputs: { data: unknown }[] };
    expect(parsed.inputs[0]!.data).toEqual(numbers);
    expect(Array.isArray(parsed.inputs[0]!.data)).toBe(true);
    // The same array in a body past the bound is read by the fast path.
    const padded = parseJsonWithNumberArrays(Buffer.from(text.padEnd(MIN_FAST_BODY_BYTES))) as {
      inputs: { data: unknown }[];
    };
    expect(padded.inputs[0]!.data).toBeInstanceOf(Float64Array);
  });

  it("is not fooled by keys and brackets inside strings, escaped keys or duplicate keys", () => {
    // 300 numbers: every case is over MIN_FAST_BODY_BYTES, so the fast path reads it.
    const numbers = Array.from({ length: 300 }, (_, index) => index);
    const cases = [
      `{"inputs":[{"name":"\\"data\\":[1,2]","data":${JSON.stringify(numbers)}}]}`,
      `{"inputs":[{"d\\u0061ta":${JSON.stringify(numbers)}}]}`,
      `{"inputs":[{"data":${JSON.stringify(numbers)},"data":[1,2,3]}]}`,
      `{"inputs":[{"data":[1,2,3],"data":${JSON.stringify(numbers)}}]}`,
      `{"inputs":[{"data":"\\u0000onnxfleet-data-0000000000000000:0"}],"x":{"data":${JSON.stringify(numbers)}}}`,
      `["data",${JSON.stringify(numbers)}]`,
    ];
    for (const text of cases) expect(parsedPlain(text)).toEqual(JSON.parse(text));
  });

  it("throws JSON.parse's own error, with positions in the body as sent", () => {
    const numbers = Array.from({ length: MIN_FAST_BODY_BYTES / 2 }, () => "1").join(",");
    const invalid = [
      `{"inputs":[{"data":[${numbers},01]}]}`,
      `{"inputs":[{"data":[${numbers},1.]}]}`,
      `{"inputs":[{"data":[${numbers},-]}]}`,
      `{"inputs":[{"data":[${numbers},1e]}]}`,
      `{"inputs":[{"data":[${numbers},]}]}`,
      `{"inputs":[{"data":[${numbers}]}]`,
      `{"inputs":[{"data":[${numbers}]}]}trailing`,
      `{"inputs":[{"data":[${numbers}] "x":1}]}`,
    ];
    for (const text of invalid) {
      let expected = "";
      try {
        JSON.parse(text);
      } catch (error) {
        expected = (error as Error).message;
      }
      expect(expected).not.toBe("");
      expect(() => parseJsonWithNumberArrays(Buffer.from(text))).toThrow(expected);
    }
  });
});
