/**
 * The core recognises every CDKTF token encoding without importing cdktf (src/lazy.ts), so validation passes
 * tokens through untouched, as it does Pulumi Outputs.
 */
import { Fn, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { describe, expect, it } from "vitest";
import { isKnown, isUnresolved } from "../../src/lazy";

const stack = new TerraformStack(Testing.app(), "tokens");
const variable = new TerraformVariable(stack, "v", {});

describe("CDKTF tokens are unresolved values to the core", () => {
  it.each([
    ["a string token", variable.stringValue],
    ["a string with a token inside", `prefix-${variable.stringValue}`],
    ["a function call", Fn.lower("A")],
    ["a number token", variable.numberValue],
    ["a list token", variable.listValue],
    ["a number list token", Token.asNumberList(variable.value)],
    ["a map token", Token.asStringMap(variable.value)],
    ["an any-map token", Token.asAnyMap(variable.value)],
    ["a token object (IResolvable)", variable.value],
  ])("%s", (_, value) => {
    expect(Token.isUnresolved(value)).toBe(true);
    expect(isUnresolved(value)).toBe(true);
    expect(isKnown(value)).toBe(false);
  });

  it.each([
    ["a plain string", "subnet-0a1b2c3d4e5f60718"],
    ["a string with a literal ${", ["echo $", "{HOME}"].join("")],
    ["a plain number", 8],
    ["a negative number", -1e300],
    ["a plain list", ["subnet-0a1b2c3d4e5f60718"]],
    ["a plain map", { a: "b" }],
  ])("but %s is known", (_, value) => {
    expect(Token.isUnresolved(value)).toBe(false);
    expect(isUnresolved(value)).toBe(false);
  });
});
