/**
 * A bound on JSON nesting, checked on the body's bytes before they are parsed. V8 parses any depth, but every
 * later recursive walk (`JSON.stringify` in an error message, a logger's serializer) would overflow the
 * stack on a body like `[[[[...` a million levels deep; refusing it up front keeps every later step safe.
 */

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-chars";

/** Deepest nesting of arrays and objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON in `bytes` (UTF-8) nests arrays and objects deeper than `limit`. Brackets inside
 * strings do not count. Malformed JSON is left for the parser to report.
 */
export function exceedsJsonDepth(bytes: Buffer, limit: number = MAX_JSON_DEPTH): boolean {
  if (atMostOpenings(bytes, limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const code = bytes[i]!;
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * True when `bytes` hold at most `limit` opening brackets and braces in all (inside strings or not), so
 * their nesting cannot exceed `limit`. Native `indexOf` scans (for a byte value, which skips any string
 * conversion): a typical tensor body (a few brackets around thousands of numbers) is cleared ~10x faster
 * than by the byte loop.
 */
function atMostOpenings(bytes: Buffer, limit: number): boolean {
  const brackets = openingsUpTo(bytes, OPEN_BRACKET, limit);
  return brackets <= limit && brackets + openingsUpTo(bytes, OPEN_BRACE, limit - brackets) <= limit;
}

/** How many `opening` bytes `bytes` holds, counting no further than `limit` + 1. */
function openingsUpTo(bytes: Buffer, opening: number, limit: number): number {
  let count = 0;
  for (let at = bytes.indexOf(opening); at !== -1 && count <= limit; at = bytes.indexOf(opening, at + 1)) {
    count++;
  }
  return count;
}
