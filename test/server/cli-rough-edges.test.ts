/**
 * Command-line rough edges (issue 18): a port in use names the flag and variable to change, a failed
 * fetch leaves no empty version directory behind, a 415 lists the accepted content types, `--help`
 * mentions `fetch`, `--version` answers, and usage errors are plain text.
 */
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchModel } from "../../server/fetch";
import { type RunningServer, start } from "../../server/main";
import { mlp } from "../../server/testing/onnx-builder";
import { sha256Of, tempDir } from "./fetch-helpers";
import { writeRepository } from "./helpers";

const BIN = new URL("../../bin/onnxfleet-server.cjs", import.meta.url).pathname;
let root: string;
beforeAll(() => {
  root = writeRepository({ small: { versions: { 1: mlp([4, 8, 3]) } } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const startOn = (flags: string[]) =>
  start(["--model-repository", root, "--host", "127.0.0.1", "--log-level", "silent", ...flags], {});

describe("a port already in use", () => {
  it.each([
    ["http-port", "ONNXFLEET_HTTP_PORT"],
    ["metrics-port", "ONNXFLEET_METRICS_PORT"],
  ])("--%s: the error names the port and the flag and variable to change", async (flag, variable) => {
    // GIVEN another process's listener on a port
    const other = net.createServer().listen(0, "127.0.0.1");
    await once(other, "listening");
    const { port } = other.address() as net.AddressInfo;
    try {
      // WHEN the server is told to listen there
      const flags =
        flag === "http-port"
          ? ["--http-port", String(port)]
          : ["--http-port", "0", "--metrics-port", String(port)];
      // THEN it refuses with what to change
      await expect(startOn(flags)).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use by another process; choose another port with --${flag} (${variable})`,
      );
    } finally {
      other.close();
    }
  });
});

describe("a failed fetch", () => {
  it("leaves no empty version directory behind (the server would refuse to start on it)", async () => {
    // GIVEN a source whose digest does not match the pin
    const work = tempDir("fetch-cleanup");
    try {
      const source = join(work.dir, "source.onnx");
      writeFileSync(source, mlp([2, 3, 2]));
      const repository = join(work.dir, "models");
      mkdirSync(repository);
      const dest = join(repository, "m", "1", "model.onnx");
      // WHEN the fetch fails
      await expect(
        fetchModel({ uri: pathToFileURL(source).href, sha256: sha256Of(Buffer.from("other")), dest }),
      ).rejects.toThrow();
      // THEN the directories it made are gone, and the one that was there stays
      expect(existsSync(join(repository, "m"))).toBe(false);
      expect(existsSync(repository)).toBe(true);
    } finally {
      work.remove();
    }
  });

  it("keeps a version directory that already held something", async () => {
    const work = tempDir("fetch-cleanup-keep");
    try {
      const source = join(work.dir, "source.onnx");
      writeFileSync(source, mlp([2, 3, 2]));
      const versionDir = join(work.dir, "models", "m", "1");
      mkdirSync(versionDir, { recursive: true });
      writeFileSync(join(versionDir, "notes.txt"), "kept");
      await expect(
        fetchModel({
          uri: pathToFileURL(source).href,
          sha256: sha256Of(Buffer.from("other")),
          dest: join(versionDir, "model.onnx"),
        }),
      ).rejects.toThrow();
      expect(readFileSync(join(versionDir, "notes.txt"), "utf8")).toBe("kept");
    } finally {
      work.remove();
    }
  });
});

describe("415", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startOn(["--http-port", "0"]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("names the content type sent and lists the accepted ones", async () => {
    const response = await fetch(`${server.url}/v2/models/small/infer`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "1,2,3,4",
    });
    expect(response.status).toBe(415);
    const { error } = (await response.json()) as { error: string };
    expect(error).toContain('unsupported content type "text/plain"');
    expect(error).toContain("application/json");
    expect(error).toContain("application/octet-stream");
  });
});

describe("the command line", () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });

  it("--help mentions the fetch subcommand and --version", () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("onnxfleet-server fetch --uri URI --sha256 HEX --dest FILE");
    expect(help.stdout).toContain("onnxfleet-server --version");
  });

  it("--version prints the package version", () => {
    const version = run(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(
      (
        JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
          version: string;
        }
      ).version,
    );
  });

  it("a usage error is one plain-text line on stderr, not a JSON log line, and exit code 1", () => {
    const bad = run(["--model-repository", root, "--http-port", "x"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('onnxfleet-server: --http-port must be an integer, got "x"\n');
    expect(bad.stdout).toBe("");
  });
});
