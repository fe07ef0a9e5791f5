/** A sha256 pinned in a model's config.json is re-checked when the model loads (defence behind the fetch). */
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { RepositoryError } from "../../server/repository/errors";
import { ModelRepository } from "../../server/repository/repository";
import { identityModel } from "../../server/testing/onnx-builder";
import { writeRepository } from "./helpers";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const v1 = identityModel("FP32", [2]);
const v2 = identityModel("INT32", [2]);
const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function repository(config: unknown, versions: Record<string, Uint8Array> = { "1": v1 }) {
  const root = writeRepository({ pinned: { versions, config } });
  roots.push(root);
  return new ModelRepository({ root });
}

describe("sha256 pinned in config.json", () => {
  it("loads a model whose file matches its pin (any case), and serves it", async () => {
    const repo = repository({ sha256: digest(v1).toUpperCase() });
    await repo.load();
    const app = buildApp({ repository: repo });
    expect((await app.inject({ url: "/v2/models/pinned/ready" })).statusCode).toBe(200);
    await app.close();
    await repo.close();
  });

  it("refuses a tampered file: load fails naming both digests, and the repository never turns ready", async () => {
    const pinned = digest(v2);
    const repo = repository({ sha256: pinned });
    await expect(repo.load()).rejects.toThrow(`sha256 is ${digest(v1)}, but ${pinned} is pinned`);
    expect(repo.ready).toBe(false);
    await repo.close();
  });

  it("pins several versions by number, and refuses a served version the map leaves out", async () => {
    const both = repository(
      { versionPolicy: { latest: 2 }, sha256: { "1": digest(v1), "2": digest(v2) } },
      { "1": v1, "2": v2 },
    );
    await both.load();
    expect(both.ready).toBe(true);
    await both.close();

    const partly = repository(
      { versionPolicy: { latest: 2 }, sha256: { "2": digest(v2) } },
      { "1": v1, "2": v2 },
    );
    await expect(partly.load()).rejects.toThrow("version 1 is served but sha256 pins only version(s) 2");
    await partly.close();
  });

  it("refuses pins that are not digests when the repository is scanned", () => {
    expect(() => repository({ sha256: "abc" })).toThrow(RepositoryError);
    expect(() => repository({ sha256: "abc" })).toThrow("must be a sha256 digest of 64 hexadecimal digits");
    expect(() => repository({ sha256: { latest: digest(v1) } })).toThrow(
      "sha256 keys must be version numbers",
    );
    expect(() => repository({ sha256: 42 })).toThrow("sha256 must be a digest, or an object");
  });
});
