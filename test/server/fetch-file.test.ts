import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FETCH_ERROR_CODES, fetchModel, fetchModels, sha256File, verifySha256File } from "../../server/fetch";
import { bytesOf, captureLogs, listDir, sha256Of, tempDir } from "./fetch-helpers";

const ONNX_MODEL = "/usr/share/libonnx-testdata/data/node/test_add/model.onnx";

describe("fetch from file://", () => {
  let work: ReturnType<typeof tempDir>;
  let source: string;
  let sourceBytes: Buffer;
  beforeEach(() => {
    work = tempDir("fetch-file");
    source = join(work.dir, "source.onnx");
    sourceBytes = readFileSync(ONNX_MODEL);
    writeFileSync(source, sourceBytes);
  });
  afterEach(() => work.remove());

  it("copies a real ONNX file into place when the digest matches, creating the directory", async () => {
    // GIVEN a model file and its sha256
    const dest = join(work.dir, "models", "add", "1", "model.onnx");
    // WHEN it is fetched
    const result = await fetchModel({ uri: pathToFileURL(source).href, sha256: sha256Of(sourceBytes), dest });
    // THEN the destination holds the same bytes and nothing else is left in its directory
    expect(result).toMatchObject({ dest, outcome: "downloaded", bytes: sourceBytes.length, attempts: 1 });
    expect(readFileSync(dest).equals(sourceBytes)).toBe(true);
    expect(listDir(join(work.dir, "models", "add", "1"))).toEqual(["model.onnx"]);
    expect(await sha256File(dest)).toBe(sha256Of(sourceBytes));
  });

  it("accepts the digest in upper case", async () => {
    const dest = join(work.dir, "model.onnx");
    const result = await fetchModel({
      uri: pathToFileURL(source).href,
      sha256: sha256Of(sourceBytes).toUpperCase(),
      dest,
    });
    expect(result.sha256).toBe(sha256Of(sourceBytes));
  });

  it("refuses a tampered file, leaves nothing behind and does not retry", async () => {
    // GIVEN a source with one byte flipped after the digest was pinned
    const pinned = sha256Of(sourceBytes);
    const tampered = Buffer.from(sourceBytes);
    tampered[10] = (tampered[10] ?? 0) ^ 0xff;
    writeFileSync(source, tampered);
    const dest = join(work.dir, "out", "model.onnx");
    const { logger, lines } = captureLogs();
    // WHEN fetched THEN the error names both digests
    const failure = fetchModel({ uri: pathToFileURL(source).href, sha256: pinned, dest }, { logger });
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.DIGEST_MISMATCH });
    await expect(failure).rejects.toThrow(`expected ${pinned}, got ${sha256Of(tampered)}`);
    // Nothing behind: not even the directory the fetch made for the file.
    expect(existsSync(join(work.dir, "out"))).toBe(false);
    expect(lines.filter((line) => line.msg === "fetch failed, retrying")).toEqual([]);
  });

  it("refuses a truncated file and keeps the existing destination byte for byte", async () => {
    // GIVEN an existing destination (an older model) and a truncated source
    const dest = join(work.dir, "model.onnx");
    writeFileSync(dest, "previous model");
    writeFileSync(source, sourceBytes.subarray(0, sourceBytes.length - 7));
    // WHEN fetched against the full file's digest
    await expect(
      fetchModel({ uri: pathToFileURL(source).href, sha256: sha256Of(sourceBytes), dest }),
    ).rejects.toMatchObject({ code: FETCH_ERROR_CODES.DIGEST_MISMATCH });
    // THEN the old destination is untouched and no temporary file remains
    expect(readFileSync(dest, "utf8")).toBe("previous model");
    expect(listDir(work.dir)).toEqual(["model.onnx", "source.onnx"]);
  });

  it("replaces an existing destination whose digest differs, once the new file verifies", async () => {
    const dest = join(work.dir, "model.onnx");
    writeFileSync(dest, "stale");
    const result = await fetchModel({ uri: pathToFileURL(source).href, sha256: sha256Of(sourceBytes), dest });
    expect(result.outcome).toBe("downloaded");
    expect(readFileSync(dest).equals(sourceBytes)).toBe(true);
  });

  it("skips the download when the destination already has the pinned digest", async () => {
    // GIVEN a destination already in place (a restarted init container)
    const dest = join(work.dir, "model.onnx");
    writeFileSync(dest, sourceBytes);
    const before = lstatSync(dest).mtimeMs;
    // WHEN the source is gone, the fetch still succeeds without reading it
    const result = await fetchModel({
      uri: pathToFileURL(join(work.dir, "gone.onnx")).href,
      sha256: sha256Of(sourceBytes),
      dest,
    });
    expect(result).toMatchObject({ outcome: "unchanged", attempts: 0, bytes: sourceBytes.length });
    expect(lstatSync(dest).mtimeMs).toBe(before);
  });

  it("refuses a symbolic link at the destination without following it", async () => {
    const target = join(work.dir, "elsewhere.txt");
    writeFileSync(target, "not to be overwritten");
    const dest = join(work.dir, "model.onnx");
    symlinkSync(target, dest);
    await expect(
      fetchModel({ uri: pathToFileURL(source).href, sha256: sha256Of(sourceBytes), dest }),
    ).rejects.toThrow(/is a symbolic link/);
    expect(readFileSync(target, "utf8")).toBe("not to be overwritten");
    expect(lstatSync(dest).isSymbolicLink()).toBe(true);
  });

  it("refuses a directory at the destination", async () => {
    const dest = join(work.dir, "model.onnx");
    mkdirSync(dest);
    await expect(
      fetchModel({ uri: pathToFileURL(source).href, sha256: sha256Of(sourceBytes), dest }),
    ).rejects.toThrow(/not a regular file/);
  });

  it("reports a missing source as refused, without retrying", async () => {
    const { logger, lines } = captureLogs();
    const missing = pathToFileURL(join(work.dir, "missing.onnx")).href;
    await expect(
      fetchModel({ uri: missing, sha256: sha256Of(sourceBytes), dest: join(work.dir, "m.onnx") }, { logger }),
    ).rejects.toMatchObject({
      code: FETCH_ERROR_CODES.SOURCE_REFUSED,
      message: expect.stringMatching(/ENOENT/),
    });
    expect(lines.some((line) => line.msg === "fetch failed, retrying")).toBe(false);
  });

  it("logs progress with bytes, percent and throughput, never content", async () => {
    // GIVEN a 3 MiB file and a zero progress interval (a line per chunk)
    const big = bytesOf(3 * 1024 * 1024);
    writeFileSync(source, big);
    const { logger, lines } = captureLogs();
    await fetchModel(
      { uri: pathToFileURL(source).href, sha256: sha256Of(big), dest: join(work.dir, "big.onnx") },
      { logger, progressIntervalMs: 0 },
    );
    const progress = lines.filter((line) => line.msg === "fetch progress");
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ bytes: big.length, totalBytes: big.length, percent: 100 });
    expect(progress.every((line) => typeof line.bytesPerSecond === "number")).toBe(true);
    const done = lines.find((line) => line.msg === "model fetched and verified");
    expect(done).toMatchObject({ bytes: big.length, sha256: sha256Of(big) });
    expect(Object.keys(done ?? {})).not.toContain("data");
  });

  it("validates every request before fetching any, and refuses duplicate destinations", async () => {
    const uri = pathToFileURL(source).href;
    const sha256 = sha256Of(sourceBytes);
    const first = join(work.dir, "a.onnx");
    await expect(
      fetchModels([
        { uri, sha256, dest: first },
        { uri: "ftp://example.com/m.onnx", sha256, dest: join(work.dir, "b.onnx") },
      ]),
    ).rejects.toThrow(/scheme "ftp"/);
    expect(existsSync(first)).toBe(false);
    await expect(
      fetchModels([
        { uri, sha256, dest: first },
        { uri, sha256, dest: first },
      ]),
    ).rejects.toThrow(/appears more than once/);
  });
});

describe("fetch request validation", () => {
  const sha256 = "a".repeat(64);
  const cases: [string, { uri: string; sha256: string; dest: string }, RegExp][] = [
    [
      "plain http",
      { uri: "http://example.com/m.onnx", sha256, dest: "/tmp/m.onnx" },
      /plain http is refused/,
    ],
    [
      "ftp",
      { uri: "ftp://example.com/m.onnx", sha256, dest: "/tmp/m.onnx" },
      /allowed schemes are s3, https, file/,
    ],
    ["not a URI", { uri: "models/m.onnx", sha256, dest: "/tmp/m.onnx" }, /is not a URI/],
    ["s3 without key", { uri: "s3://bucket", sha256, dest: "/tmp/m.onnx" }, /must name a bucket and a key/],
    [
      "credentials in URI",
      { uri: "https://u:p@example.com/m", sha256, dest: "/tmp/m.onnx" },
      /carries credentials/,
    ],
    ["remote file host", { uri: "file://server/m.onnx", sha256, dest: "/tmp/m.onnx" }, /names host "server"/],
    ["short digest", { uri: "s3://b/k", sha256: "abc", dest: "/tmp/m.onnx" }, /64 hexadecimal digits/],
    [
      "non-hex digest",
      { uri: "s3://b/k", sha256: "z".repeat(64), dest: "/tmp/m.onnx" },
      /64 hexadecimal digits/,
    ],
    ["dotdot dest", { uri: "s3://b/k", sha256, dest: "/models/../etc/passwd" }, /has a "\.\." segment/],
    ["directory dest", { uri: "s3://b/k", sha256, dest: "/models/" }, /names a directory/],
    ["empty dest", { uri: "s3://b/k", sha256, dest: "" }, /dest is empty/],
  ];
  it.each(cases)("refuses %s with a clear message", async (_name, request, message) => {
    const failure = fetchModel(request);
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.INVALID_REQUEST });
    await expect(failure).rejects.toThrow(message);
  });

  it("refuses a destination outside the destination root", async () => {
    await expect(
      fetchModel({ uri: "s3://b/k", sha256, dest: "/data/m.onnx" }, { destRoot: "/models" }),
    ).rejects.toThrow(/outside the destination root \/models/);
    await expect(
      fetchModel({ uri: "s3://b/k", sha256, dest: "/models" }, { destRoot: "/models" }),
    ).rejects.toThrow(/outside the destination root/);
  });
});

describe("load-time digest re-check", () => {
  it("sha256File matches sha256sum's digest of a real ONNX file, and verifySha256File refuses a change", async () => {
    const { execFileSync } = await import("node:child_process");
    const sum = execFileSync("sha256sum", [ONNX_MODEL], { encoding: "utf8" }).split(" ")[0];
    expect(await sha256File(ONNX_MODEL)).toBe(sum);
    expect(await verifySha256File(ONNX_MODEL, sum!.toUpperCase())).toBe(sum);
    await expect(verifySha256File(ONNX_MODEL, "0".repeat(64))).rejects.toMatchObject({
      code: FETCH_ERROR_CODES.DIGEST_MISMATCH,
      message: `${ONNX_MODEL}: sha256 is ${sum}, but ${"0".repeat(64)} is pinned; refusing to load it`,
    });
  });
});
