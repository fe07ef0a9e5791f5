/** Host names of model URIs: the same verdict on every Node (src/specs/hostname.ts). */
import { describe, expect, it } from "vitest";
import { decodePunycode, hostnameProblem } from "../../src/specs/hostname";

const text = (points: number[] | undefined) => (points ? String.fromCodePoint(...points) : undefined);

describe("hostnameProblem", () => {
  it.each([
    "example.com",
    "models.s3.us-east-1.amazonaws.com",
    "xn--bcher-kva.example", // bücher.example
    "xn--mnchen-3ya.de", // münchen.de
    "10.0.0.1",
    "[::1]",
    "localhost",
    "example.com.",
  ])("accepts %s", (host) => {
    expect(hostnameProblem(host)).toBeUndefined();
  });

  it.each([
    ["xn--a.example.com", /xn--a.*malformed Punycode/], // decodes to U+0080, a C1 control
    ["xn--abc.example.com", /malformed Punycode/], // not Punycode an IDNA label can hold
    ["xn--bcher-kva!.example", /invalid host label/],
    ["-bad.example", /invalid host label "-bad"/],
    ["a..b", /invalid host label ""/],
    [`${"a".repeat(64)}.example`, /invalid host label/],
  ])("refuses %s", (host, reason) => {
    expect(hostnameProblem(host)).toMatch(reason);
  });
});

describe("decodePunycode (RFC 3492)", () => {
  it("decodes A-labels to what new URL() made of the Unicode names", () => {
    for (const name of ["bücher", "münchen", "例え", "ελληνικά"]) {
      const label = new URL(`https://${name}.example/`).hostname.split(".")[0] as string;
      expect(label.startsWith("xn--")).toBe(true);
      expect(text(decodePunycode(label.slice(4)))).toBe(name);
    }
  });

  it("refuses strings that end mid-number or hold non-digits", () => {
    expect(decodePunycode("bcher-kv")).toBeUndefined();
    expect(decodePunycode("bcher-k_a")).toBeUndefined();
  });
});
