/**
 * Host names of model URIs, checked the same way on every Node.js: Node's URL parser changed what it
 * refuses between releases (Node 20 refused the host `xn--a.example.com`, Node 24 accepts it), so the
 * rules are written here. A host is an IP literal or dot-separated labels of letters, digits and hyphens
 * (RFC 1123 section 2.1), each at most 63 characters; a label starting `xn--` must be Punycode
 * (RFC 3492, https://www.rfc-editor.org/rfc/rfc3492) that decodes to at least one non-ASCII character and
 * to no control character (IDNA A-labels, RFC 5890 section 2.3.2.1).
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Why `hostname` (as `new URL(...).hostname` gives it: lowercase, A-labels) is no valid host; else undefined. */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.startsWith("[") && hostname.endsWith("]")) return undefined; // IPv6 literal, parsed by URL
  if (IPV4.test(hostname)) return undefined;
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (name.length === 0 || name.length > 253) return "must be a host name of 1 to 253 characters";
  for (const label of name.split(".")) {
    if (!LABEL.test(label)) {
      return `has an invalid host label "${label}" (1 to 63 letters, digits and "-", not starting or ending with "-")`;
    }
    if (label.startsWith("xn--") && decodePunycode(label.slice(4)) === undefined) {
      return `has an invalid host label "${label}" (not a valid internationalized name: malformed Punycode)`;
    }
  }
  return undefined;
}

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 0x80;

/** Bias adaptation after each decoded code point (RFC 3492 section 6.1). */
function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : Math.floor(delta / 2);
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) / 2) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

/** The value of one Punycode digit (a-z: 0-25, 0-9: 26-35), or undefined. */
function digitValue(char: string): number | undefined {
  const code = char.charCodeAt(0);
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 26;
  return undefined;
}

/**
 * The code points a Punycode string (the part after `xn--`) decodes to, or undefined when it is malformed
 * or encodes nothing an IDNA label may hold (no non-ASCII character, a C1 control, a surrogate).
 */
export function decodePunycode(input: string): number[] | undefined {
  const delimiter = input.lastIndexOf("-");
  const output = delimiter > 0 ? [...input.slice(0, delimiter)].map((c) => c.charCodeAt(0)) : [];
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  let inserted = 0;
  for (let at = delimiter > 0 ? delimiter + 1 : 0; at < input.length; ) {
    const before = i;
    let weight = 1;
    for (let k = BASE; ; k += BASE) {
      if (at >= input.length) return undefined; // the number ends mid-way
      const digit = digitValue(input[at++] as string);
      if (digit === undefined) return undefined;
      i += digit * weight;
      if (!Number.isSafeInteger(i)) return undefined;
      const threshold = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < threshold) break;
      weight *= BASE - threshold;
    }
    bias = adapt(i - before, output.length + 1, before === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n < 0xa0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    output.splice(i, 0, n);
    i++;
    inserted++;
  }
  return inserted > 0 ? output : undefined;
}
