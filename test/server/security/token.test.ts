import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuthTokenError, loadAuthToken, tokensEqual } from "../../../server/security";

const TOKEN = "0123456789abcdef0123456789abcdef";

describe("loadAuthToken", () => {
  it("is off when no source is set", () => {
    expect(loadAuthToken({})).toBeUndefined();
  });

  it("reads a token file and trims the trailing newline of a mounted Secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "onnxfleet-token-"));
    const file = join(dir, "token");
    writeFileSync(file, `${TOKEN}\n`);
    expect(loadAuthToken({ tokenFile: file })).toBe(TOKEN);
  });

  it("takes the token from the environment value", () => {
    expect(loadAuthToken({ token: TOKEN })).toBe(TOKEN);
  });

  it("refuses both sources, a missing file, and short or blank tokens, naming the source", () => {
    expect(() => loadAuthToken({ token: TOKEN, tokenFile: "/x" })).toThrow(/either --auth-token-file or/);
    expect(() => loadAuthToken({ tokenFile: "/nonexistent/token" })).toThrow(
      /--auth-token-file \/nonexistent\/token: cannot read the file \(ENOENT\)/,
    );
    expect(() => loadAuthToken({ token: "short" })).toThrow(AuthTokenError);
    expect(() => loadAuthToken({ token: "   " })).toThrow(
      /ONNXFLEET_AUTH_TOKEN: the token must be at least 16/,
    );
    expect(() => loadAuthToken({ token: "0123456789 abcdef0123" })).toThrow(/without whitespace/);
  });
});

describe("tokensEqual", () => {
  it("accepts only the exact token, whatever the lengths", () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensEqual("", TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.toUpperCase(), TOKEN)).toBe(false);
  });
});
