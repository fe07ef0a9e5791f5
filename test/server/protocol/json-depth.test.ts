import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../../../server/protocol/json-depth";

const bytes = (text: string) => Buffer.from(text, "utf8");

/** Nesting depth of a parsed JSON value: 0 for scalars, 1 for a flat array or object. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === "object")
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe("exceedsJsonDepth", () => {
  it("agrees with the depth of the parsed value, for any JSON and any limit", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
        expect(exceedsJsonDepth(bytes(JSON.stringify(value)), limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 500 },
    );
  });

  it("ignores brackets and escaped quotes inside strings", () => {
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '\\"[[[[[{{{{' })), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify(["\\", [[1]]])), 2)).toBe(true);
  });

  it("defaults to the documented limit", () => {
    expect(exceedsJsonDepth(bytes("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsJsonDepth(bytes("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1)))).toBe(
      true,
    );
  });
});
