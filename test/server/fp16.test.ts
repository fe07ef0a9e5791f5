import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHalfBits, toHalfBits } from "../../server/protocol/fp16";

describe("FP16 conversion", () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up to infinity
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14, 0x0400], // smallest normal
    [0.1, 0x2e66],
    [1 + 2 ** -11, 0x3c00], // a tie rounds to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // a tie rounds to even (up)
    [Number.POSITIVE_INFINITY, 0x7c00],
  ])("%d -> 0x%s", (value, bits) => {
    expect(toHalfBits(value)).toBe(bits);
  });

  it("NaN stays NaN", () => {
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });

  it("every finite half pattern decodes and re-encodes to itself", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (bits) => {
        fc.pre((bits & 0x7c00) !== 0x7c00); // skip infinities and NaNs
        expect(toHalfBits(fromHalfBits(bits))).toBe(bits);
      }),
    );
  });

  it("the encoded half is the nearest one", () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (value) => {
        const half = fromHalfBits(toHalfBits(value));
        const bits = toHalfBits(value);
        for (const neighbour of [bits - 1, bits + 1]) {
          if ((neighbour & 0x7c00) === 0x7c00 || neighbour < 0 || neighbour > 0xffff) continue;
          expect(Math.abs(half - value)).toBeLessThanOrEqual(Math.abs(fromHalfBits(neighbour) - value));
        }
      }),
    );
  });
});
