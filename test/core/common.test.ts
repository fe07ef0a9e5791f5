import { describe, expect, it } from "vitest";
import {
  checkCidr,
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkIntegerRange,
  checkLabels,
  checkMinMax,
  checkOneOf,
  checkPositiveInteger,
  checkQuantity,
  checkSha256,
  isCidr,
  normalizeSha256,
  parseQuantity,
  suggestQuantity,
} from "../../src/specs/common";
import { Validator } from "../../src/validate";

const pulumiOutput = { __pulumiOutput: true };
const cdktfToken = ["$", "{TfToken[TOKEN.12]}"].join("");

function reasons(run: (check: Validator) => void): string[] {
  const check = new Validator("ModelService", "resnet");
  run(check);
  return check.list().map((p) => `${p.path} ${p.reason}`);
}

describe("checkDns1123Label", () => {
  it.each(["a", "resnet50", "my-model-1", "a".repeat(63)])("accepts %s", (name) => {
    expect(reasons((c) => checkDns1123Label(c, "name", name))).toEqual([]);
  });

  it.each(["", "-a", "a-", "ResNet", "a_b", "a.b", "a".repeat(64)])("rejects %j", (name) => {
    expect(reasons((c) => checkDns1123Label(c, "name", name))).toHaveLength(1);
  });

  it("names the value, the rule and a suggestion", () => {
    expect(reasons((c) => checkDns1123Label(c, "model.name", "ResNet_50"))).toEqual([
      'model.name ("ResNet_50") must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit (did you mean "resnet-50"?)',
    ]);
  });

  it("enforces a shorter limit for name prefixes", () => {
    expect(reasons((c) => checkDns1123Label(c, "name", "a".repeat(50), 40))).toEqual([
      `name ("${"a".repeat(50)}") is 50 characters long; at most 40 are allowed`,
    ]);
  });

  it("passes unresolved values through", () => {
    expect(reasons((c) => checkDns1123Label(c, "name", pulumiOutput))).toEqual([]);
    expect(reasons((c) => checkDns1123Label(c, "name", cdktfToken))).toEqual([]);
  });
});

describe("checkQuantity", () => {
  it.each([
    "1",
    "500m",
    "0.5",
    "1.5",
    ".5",
    "2.",
    "8Gi",
    "512Mi",
    "1Ki",
    "1Ti",
    "1Pi",
    "1Ei",
    "100n",
    "10u",
    "1k",
    "1M",
    "1G",
    "1T",
    "1P",
    "1E",
    "1e3",
    "1E3",
    "1e-3",
    "+1",
  ])("accepts %s", (q) => {
    expect(reasons((c) => checkQuantity(c, "resources.memory", q))).toEqual([]);
  });

  it.each(["", "Gi", "2Gb", "2GB", "2gi", "1.2.3", "2 Gi", "abc", "1KI", "1ki", "0x10"])(
    "rejects %j",
    (q) => {
      expect(reasons((c) => checkQuantity(c, "resources.memory", q))).toHaveLength(1);
    },
  );

  it("hints 2Gi for 2Gb", () => {
    const [message] = reasons((c) => checkQuantity(c, "resources.memory", "2Gb"));
    expect(message).toMatch(
      /^resources\.memory \("2Gb"\) is not a Kubernetes quantity \(did you mean 2Gi\?\)/,
    );
  });

  it.each([
    ["2Gb", "2Gi"],
    ["2GB", "2Gi"],
    ["2GiB", "2Gi"],
    ["512mb", "512Mi"],
    ["1kb", "1Ki"],
    ["8 Gi", "8Gi"],
    ["abc", undefined],
  ])("suggests a fix for %s", (input, expected) => {
    expect(suggestQuantity(input)).toBe(expected);
  });

  it("rejects zero and negatives unless allowed", () => {
    expect(reasons((c) => checkQuantity(c, "cpu", "0"))).toEqual(['cpu ("0") must be greater than zero']);
    expect(reasons((c) => checkQuantity(c, "cpu", "-1"))).toHaveLength(1);
    expect(reasons((c) => checkQuantity(c, "cpu", "0", { positive: false }))).toEqual([]);
  });

  it("rejects numbers with a hint to quote them", () => {
    expect(reasons((c) => checkQuantity(c, "cpu", 2 as unknown as string))).toEqual([
      'cpu (2) must be a Kubernetes quantity string such as "2", "500m" or "8Gi" (did you mean "2"?)',
    ]);
  });

  it("parses values for comparisons", () => {
    expect(parseQuantity("8Gi")).toBe(8 * 1024 ** 3);
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("2G")).toBe(2e9);
    expect(parseQuantity("2Gb")).toBeUndefined();
  });
});

describe("checkSha256", () => {
  const digest = "9f2c".repeat(16);

  it("accepts 64 hex digits and normalises to lowercase", () => {
    expect(reasons((c) => checkSha256(c, "model.sha256", digest.toUpperCase()))).toEqual([]);
    expect(normalizeSha256(digest.toUpperCase())).toBe(digest);
  });

  it.each(["9f2c", `${digest}0`, `${digest.slice(1)}g`, ""])("rejects %j", (value) => {
    expect(reasons((c) => checkSha256(c, "model.sha256", value))).toHaveLength(1);
  });

  it("explains a sha256: prefix and a wrong length", () => {
    expect(reasons((c) => checkSha256(c, "model.sha256", `sha256:${digest}`))[0]).toContain(
      'without the "sha256:" prefix',
    );
    expect(reasons((c) => checkSha256(c, "model.sha256", "9f2c"))[0]).toBe(
      'model.sha256 ("9f2c") must be a sha256 digest of exactly 64 hex digits (4 characters); compute it with `sha256sum model.onnx`',
    );
  });
});

describe("numbers and ranges", () => {
  it("checks positive integers", () => {
    expect(reasons((c) => checkPositiveInteger(c, "gpu", 1))).toEqual([]);
    expect(reasons((c) => checkPositiveInteger(c, "gpu", 0))).toEqual(["gpu (0) must be a positive integer"]);
    expect(reasons((c) => checkPositiveInteger(c, "gpu", 1.5))).toHaveLength(1);
  });

  it("checks integer ranges", () => {
    expect(reasons((c) => checkIntegerRange(c, "w", 101, 0, 100))).toEqual([
      "w (101) must be an integer from 0 to 100",
    ]);
  });

  it("reports min above max with both values", () => {
    expect(reasons((c) => checkMinMax(c, "replicas", { min: 5, max: 3 }))).toEqual([
      "replicas.min (5) must not exceed replicas.max (3)",
    ]);
  });

  it("reports each bad bound without a misleading order check", () => {
    expect(reasons((c) => checkMinMax(c, "replicas", { min: 0, max: -1 }))).toEqual([
      "replicas.min (0) must be a positive integer",
      "replicas.max (-1) must be a positive integer",
    ]);
  });

  it("checks closed sets", () => {
    expect(reasons((c) => checkOneOf(c, "exposure.type", "alb" as string, ["clusterIP", "nlb"]))).toEqual([
      'exposure.type ("alb") must be one of "clusterIP", "nlb"',
    ]);
  });
});

describe("more shared validators", () => {
  it("requires Service names to start with a letter", () => {
    expect(reasons((c) => checkDns1035Label(c, "name", "1abc"))).toEqual([
      'name ("1abc") must start with a lowercase letter',
    ]);
    expect(reasons((c) => checkDns1035Label(c, "name", "abc-1"))).toEqual([]);
  });

  it.each(["10.0.0.0/16", "0.0.0.0/0", "192.168.1.7/32", "fd00::/8", "::/0", "2001:db8::/32"])(
    "accepts CIDR %s",
    (cidr) => {
      expect(isCidr(cidr)).toBe(true);
    },
  );

  it.each(["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "everyone", "fd00::/129", "1::2::3/64"])(
    "rejects CIDR %s",
    (cidr) => {
      expect(reasons((c) => checkCidr(c, "cidrs[0]", cidr))).toHaveLength(1);
    },
  );

  it("checks DNS-1123 subdomains", () => {
    expect(reasons((c) => checkDns1123Subdomain(c, "claim", "models.team-a"))).toEqual([]);
    expect(reasons((c) => checkDns1123Subdomain(c, "claim", "Models"))).toHaveLength(1);
  });

  it("checks label maps key by key", () => {
    expect(
      reasons((c) => checkLabels(c, "labels", { release: "prometheus", "example.com/team": "a_b" })),
    ).toEqual([]);
    expect(reasons((c) => checkLabels(c, "labels", { "bad key!": "x", ok: "-bad-" }))).toEqual([
      'labels["bad key!"] is not a valid label key: [prefix/]name, name at most 63 characters',
      'labels["ok"] ("-bad-") must be a Kubernetes label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ]);
  });
});
