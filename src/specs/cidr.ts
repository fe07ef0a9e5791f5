/** IP ranges in CIDR notation: the whole-internet ranges, and IPv4 containment. */

/** The ranges that admit every address: never planned unless the user opts out by name. */
export const WHOLE_INTERNET_CIDRS = ["0.0.0.0/0", "::/0"] as const;

/** True for a range with prefix length 0 (`0.0.0.0/0`, `::/0`, or any address with `/0`). */
export function isWholeInternetCidr(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** First address and size of an IPv4 CIDR range; undefined for anything else (IPv6 included). */
function ipv4Range(cidr: string): { start: number; size: number } | undefined {
  const [address, prefix] = cidr.split("/");
  if (address === undefined || prefix === undefined || !/^\d{1,2}$/.test(prefix)) return undefined;
  const bits = Number(prefix);
  const value = ipv4ToNumber(address);
  if (value === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return { start: value - (value % size), size };
}

/** True when the IPv4 range `outer` contains every address of the IPv4 range `inner`. */
export function ipv4CidrContains(outer: string, inner: string): boolean {
  const o = ipv4Range(outer);
  const i = ipv4Range(inner);
  if (!o || !i) return false;
  return i.start >= o.start && i.start + i.size <= o.start + o.size;
}

/** The IPv4 ranges of `required` that no range of `allowed` contains. */
export function ipv4RangesNotCovered(allowed: readonly string[], required: readonly string[]): string[] {
  return required.filter((range) => !allowed.some((outer) => ipv4CidrContains(outer, range)));
}
