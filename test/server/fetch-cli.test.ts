import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FETCH_USAGE, fetchMain } from "../../server/fetch";
import { parseFetchArgs } from "../../server/fetch/cli";
import { captureLogs, sha256Of, tempDir } from "./fetch-helpers";

describe("onnxfleet-server fetch: flags", () => {
  let work: ReturnType<typeof tempDir>;
  let stderr: string[];
  const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const logs = captureLogs();
    return fetchMain(argv, {
      logDestination: logs.stream,
      stderr: { write: (t: string) => stderr.push(t) },
      env,
    }).then((status) => ({ status, lines: logs.lines, stderr: stderr.join("") }));
  };
  beforeEach(() => {
    work = tempDir("fetch-cli");
    stderr = [];
  });
  afterEach(() => work.remove());

  it("prints usage on --help and exits 0", async () => {
    const { status, stderr: text } = await run(["--help"]);
    expect(status).toBe(0);
    expect(text).toBe(FETCH_USAGE);
  });

  it.each([
    [["--uri", "s3://b/k"], /missing --sha256, --dest/],
    [["--manifest", "m.json", "--uri", "s3://b/k"], /either --manifest or --uri/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /unexpected argument "extra"/],
    [
      ["--uri", "s3://b/k", "--sha256", "a".repeat(64), "--dest", "/tmp/x", "--max-attempts", "0"],
      /--max-attempts \/ ONNXFLEET_MAX_ATTEMPTS "0" must be an integer >= 1/,
    ],
    [
      ["--uri", "s3://b/k", "--sha256", "a".repeat(64), "--dest", "/tmp/x", "--s3-endpoint", "minio:9000"],
      /S3 endpoint/,
    ],
  ])("exits 2 with a clear message for %j", async (argv, message) => {
    const { status, stderr: text } = await run(argv);
    expect(status).toBe(2);
    expect(text).toMatch(message);
    expect(text).toMatch(/Run with --help/);
  });

  it("exits 2 for a bad URI scheme, logged as JSON with its code", async () => {
    const { status, lines } = await run([
      "--uri",
      "http://x/m.onnx",
      "--sha256",
      "a".repeat(64),
      "--dest",
      "/tmp/m",
    ]);
    expect(status).toBe(2);
    expect(lines.at(-1)).toMatchObject({ level: 50, code: "ONNXFLEET_FETCH_INVALID_REQUEST" });
  });

  it("refuses a manifest entry with an unknown field, naming its index", async () => {
    const manifest = join(work.dir, "m.json");
    writeFileSync(manifest, JSON.stringify([{ uri: "s3://b/k", sha: "a".repeat(64), dest: "/tmp/m" }]));
    const { status, stderr: text } = await run(["--manifest", manifest]);
    expect(status).toBe(2);
    expect(text).toMatch(/\[0\] has unknown field\(s\) sha/);
  });

  it("reads flags from the environment, flags winning", async () => {
    const parsed = await parseFetchArgs(
      ["--uri", "s3://b/k", "--sha256", "a".repeat(64), "--dest", "/tmp/m"],
      {
        ONNXFLEET_S3_ENDPOINT: "http://minio:9000",
        ONNXFLEET_S3_FORCE_PATH_STYLE: "1",
      },
    );
    expect(parsed).not.toBe("help");
    if (parsed === "help") return;
    expect(parsed.options.s3).toEqual({ endpoint: "http://minio:9000", forcePathStyle: true });
    expect(parsed.options.retry).toEqual({ maxAttempts: 5, initialDelayMs: 1000 });
    const flagged = await parseFetchArgs(
      [
        "--uri",
        "s3://b/k",
        "--sha256",
        "a".repeat(64),
        "--dest",
        "/tmp/m",
        "--s3-endpoint",
        "https://s3.local",
      ],
      { ONNXFLEET_S3_ENDPOINT: "http://minio:9000" },
    );
    expect(flagged !== "help" && flagged.options.s3?.endpoint).toBe("https://s3.local");
    await expect(
      parseFetchArgs(["--uri", "s3://b/k", "--sha256", "a".repeat(64), "--dest", "/tmp/m"], {
        ONNXFLEET_S3_FORCE_PATH_STYLE: "yes",
      }),
    ).rejects.toThrow(/ONNXFLEET_S3_FORCE_PATH_STYLE "yes" must be true, false, 1 or 0/);
  });

  it("fetches a file:// model end to end and exits 0", async () => {
    const source = join(work.dir, "src.onnx");
    const bytes = readFileSync("/usr/share/libonnx-testdata/data/node/test_add/model.onnx");
    writeFileSync(source, bytes);
    const dest = join(work.dir, "repo", "add", "1", "model.onnx");
    const { status, lines } = await run([
      "--uri",
      pathToFileURL(source).href,
      "--sha256",
      sha256Of(bytes),
      "--dest",
      dest,
    ]);
    expect(status).toBe(0);
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual(["model fetched and verified", "fetch complete"]);
  });
});

describe("onnxfleet-server fetch: the installed binary", () => {
  // Runs bin/onnxfleet-server.cjs on the build output (npm test builds before vitest).
  const bin = new URL("../../bin/onnxfleet-server.cjs", import.meta.url).pathname;
  // Runs the built binary: fails (never skips) when dist/ is missing; `npm test` builds first.
  if (!existsSync(new URL("../../dist/server/main.js", import.meta.url))) {
    throw new Error("dist/server/main.js is missing: run `npm run build` first");
  }

  it("dispatches `fetch` to the fetch CLI: exit 0 when verified, 1 on a wrong digest", () => {
    const work = tempDir("fetch-bin");
    try {
      const bytes = readFileSync("/usr/share/libonnx-testdata/data/node/test_add/model.onnx");
      const source = pathToFileURL("/usr/share/libonnx-testdata/data/node/test_add/model.onnx").href;
      const dest = join(work.dir, "add", "1", "model.onnx");
      const ok = spawnSync(
        process.execPath,
        [bin, "fetch", "--uri", source, "--sha256", sha256Of(bytes), "--dest", dest],
        {
          encoding: "utf8",
        },
      );
      expect(ok.status).toBe(0);
      expect(readFileSync(dest).equals(bytes)).toBe(true);
      const okLines = ok.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { msg: string });
      expect(okLines.map((line) => line.msg)).toEqual(["model fetched and verified", "fetch complete"]);

      const other = join(work.dir, "other.onnx");
      const bad = spawnSync(
        process.execPath,
        [bin, "fetch", "--uri", source, "--sha256", "f".repeat(64), "--dest", other],
        {
          encoding: "utf8",
        },
      );
      expect(bad.status).toBe(1);
      expect(bad.stdout).toContain(`expected ${"f".repeat(64)}, got ${sha256Of(bytes)}`);
      expect(existsSync(other)).toBe(false);
    } finally {
      work.remove();
    }
  });
});
