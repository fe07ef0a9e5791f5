/**
 * A bound on JSON nesting, checked on the text before `JSON.parse`. V8 parses any depth, but every
 * later recursive walk (`JSON.stringify` in an error message, a logger's serializer) would overflow the
 * stack on a body like `[[[[...` a million levels deep; refusing it up front keeps every later step safe.
 */

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-chars";

/** Deepest nesting of arrays and objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON `text` (a string, or its UTF-8 bytes) nests arrays and objects deeper than `limit`.
 * Brackets inside strings do not count. Malformed JSON is left for the parser to report.
 */
export function exceedsJsonDepth(text: string | Buffer, limit: number = MAX_JSON_DEPTH): boolean {
  if (atMostOpenings(text, limit)) return false;
  let depth = 0;
  let inString = false;
  const isText = typeof text === "string";
  for (let i = 0; i < text.length; i++) {
    const code = isText ? text.charCodeAt(i) : text[i]!;
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
 * True when `text` holds at most `limit` opening brackets and braces in all (inside strings or not), so
 * its nesting cannot exceed `limit`. Native `indexOf` scans: a typical tensor body (a few brackets around
 * thousands of numbers) is cleared ~10x faster than by the character loop.
 */
function atMostOpenings(text: string | Buffer, limit: number): boolean {
  let openings = 0;
  if (typeof text === "string") {
    for (const opening of ["[", "{"]) {
      for (let at = text.indexOf(opening); at !== -1; at = text.indexOf(opening, at + 1)) {
        if (++openings > limit) return false;
      }
    }
    return true;
  }
  // Bytes: searching for a byte value skips Buffer.indexOf's string conversion on every call.
  for (const opening of [OPEN_BRACKET, OPEN_BRACE]) {
    for (let at = text.indexOf(opening); at !== -1; at = text.indexOf(opening, at + 1)) {
      if (++openings > limit) return false;
    }
  }
  return true;
}
