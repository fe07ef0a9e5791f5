import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FETCH_ERROR_CODES, fetchMain, fetchModel } from "../../server/fetch";
import { bytesOf, captureLogs, listDir, makeCertificates, sha256Of, tempDir } from "./fetch-helpers";

const MODEL = bytesOf(256 * 1024, 7);
const FAST_RETRY = { initialDelayMs: 1, maxDelayMs: 5 };

describe("fetch from https:// (local server, self-signed CA)", () => {
  let certs: ReturnType<typeof tempDir>;
  let caFile: string;
  let caPem: string;
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  let work: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    certs = tempDir("fetch-certs");
    const made = makeCertificates(certs.dir);
    caFile = made.caFile;
    caPem = readFileSync(caFile, "utf8");
    server = createServer({ key: made.key, cert: made.cert }, (req, res) => {
      const path = req.url ?? "/";
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      const full = () => {
        res.writeHead(200, { "content-length": MODEL.length });
        res.end(MODEL);
      };
      const truncated = () => {
        res.writeHead(200, { "content-length": MODEL.length });
        res.write(MODEL.subarray(0, MODEL.length / 2), () => res.socket?.destroy());
      };
      switch (path) {
        case "/model.onnx":
          return full();
        case "/flaky.onnx":
          if (hit <= 2) return res.writeHead(503).end("busy");
          return full();
        case "/missing.onnx":
          return res.writeHead(404).end("no such model");
        case "/forbidden.onnx":
          return res.writeHead(403).end("forbidden");
        case "/truncated-once.onnx":
          return hit === 1 ? truncated() : full();
        case "/truncated.onnx":
          return truncated();
        case "/stalls.onnx":
          // Half the body, then nothing: the client is cancelled mid-download.
          res.writeHead(200, { "content-length": MODEL.length });
          res.write(MODEL.subarray(0, MODEL.length / 2));
          return;
        case "/redirect.onnx":
          return res.writeHead(302, { location: "/model.onnx" }).end();
        case "/redirect-http.onnx":
          return res.writeHead(302, { location: `http://127.0.0.1:1/model.onnx` }).end();
        default:
          return res.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    certs.remove();
  });
  beforeEach(() => {
    hits.clear();
    work?.remove();
    work = tempDir("fetch-https");
  });

  it("downloads over TLS verified against the extra CA", async () => {
    const dest = join(work.dir, "m", "model.onnx");
    const result = await fetchModel(
      { uri: `${base}/model.onnx`, sha256: sha256Of(MODEL), dest },
      { extraCaPem: caPem },
    );
    expect(result).toMatchObject({ outcome: "downloaded", bytes: MODEL.length, attempts: 1 });
    expect(readFileSync(dest).equals(MODEL)).toBe(true);
  });

  it("fails TLS verification without the CA, says to pass --ca-file, and does not retry", async () => {
    const dest = join(work.dir, "model.onnx");
    const { logger, lines } = captureLogs();
    const failure = fetchModel(
      { uri: `${base}/model.onnx`, sha256: sha256Of(MODEL), dest },
      { logger, retry: FAST_RETRY },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.SOURCE_REFUSED });
    await expect(failure).rejects.toThrow(/TLS verification of 127\.0\.0\.1:\d+ failed .*--ca-file/);
    expect(hits.get("/model.onnx")).toBeUndefined();
    expect(lines.some((line) => line.msg === "fetch failed, retrying")).toBe(false);
    expect(listDir(work.dir)).toEqual([]);
  });

  it("retries transient 503s with backoff, then succeeds", async () => {
    const dest = join(work.dir, "model.onnx");
    const { logger, lines } = captureLogs();
    const result = await fetchModel(
      { uri: `${base}/flaky.onnx`, sha256: sha256Of(MODEL), dest },
      { extraCaPem: caPem, logger, retry: FAST_RETRY },
    );
    expect(result.attempts).toBe(3);
    expect(hits.get("/flaky.onnx")).toBe(3);
    const retries = lines.filter((line) => line.msg === "fetch failed, retrying");
    expect(retries.map((line) => line.attempt)).toEqual([1, 2]);
    expect(retries[0]).toMatchObject({
      code: FETCH_ERROR_CODES.TRANSIENT,
      err: expect.stringMatching(/503/),
    });
    expect(listDir(work.dir)).toEqual(["model.onnx"]);
  });

  it.each([
    ["/missing.onnx", 404],
    ["/forbidden.onnx", 403],
  ])("does not retry %s (%i)", async (path, status) => {
    const failure = fetchModel(
      { uri: `${base}${path}`, sha256: sha256Of(MODEL), dest: join(work.dir, "model.onnx") },
      { extraCaPem: caPem, retry: FAST_RETRY },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.SOURCE_REFUSED });
    await expect(failure).rejects.toThrow(new RegExp(`answered ${status}`));
    expect(hits.get(path)).toBe(1);
    expect(listDir(work.dir)).toEqual([]);
  });

  it("retries a body cut off mid-stream and succeeds on the next attempt", async () => {
    const dest = join(work.dir, "model.onnx");
    const result = await fetchModel(
      { uri: `${base}/truncated-once.onnx`, sha256: sha256Of(MODEL), dest },
      { extraCaPem: caPem, retry: FAST_RETRY },
    );
    expect(result.attempts).toBe(2);
    expect(readFileSync(dest).equals(MODEL)).toBe(true);
    expect(listDir(work.dir)).toEqual(["model.onnx"]);
  });

  it("gives up after maxAttempts on a body that is always cut off, leaving the old file and no temp", async () => {
    const dest = join(work.dir, "model.onnx");
    writeFileSync(dest, "old model");
    const failure = fetchModel(
      { uri: `${base}/truncated.onnx`, sha256: sha256Of(MODEL), dest },
      { extraCaPem: caPem, retry: { ...FAST_RETRY, maxAttempts: 3 } },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.TRANSIENT });
    expect(hits.get("/truncated.onnx")).toBe(3);
    expect(readFileSync(dest, "utf8")).toBe("old model");
    expect(listDir(work.dir)).toEqual(["model.onnx"]);
  });

  it("follows an https redirect and refuses one to plain http", async () => {
    const dest = join(work.dir, "model.onnx");
    await fetchModel({ uri: `${base}/redirect.onnx`, sha256: sha256Of(MODEL), dest }, { extraCaPem: caPem });
    expect(readFileSync(dest).equals(MODEL)).toBe(true);
    await expect(
      fetchModel(
        { uri: `${base}/redirect-http.onnx`, sha256: sha256Of(MODEL), dest: join(work.dir, "other.onnx") },
        { extraCaPem: caPem },
      ),
    ).rejects.toThrow(/only https redirects are followed/);
  });

  it("CLI: --ca-file fetches and exits 0; a wrong digest exits 1 naming both digests", async () => {
    const dest = join(work.dir, "model.onnx");
    const ok = captureLogs();
    const okStatus = await fetchMain(
      ["--uri", `${base}/model.onnx`, "--sha256", sha256Of(MODEL), "--dest", dest, "--ca-file", caFile],
      { logDestination: ok.stream, env: {} },
    );
    expect(okStatus).toBe(0);
    expect(ok.lines.at(-1)).toMatchObject({ msg: "fetch complete", files: 1 });

    const wrong = "0".repeat(64);
    const bad = captureLogs();
    const badDest = join(work.dir, "bad.onnx");
    const badStatus = await fetchMain(["--uri", `${base}/model.onnx`, "--sha256", wrong, "--dest", badDest], {
      logDestination: bad.stream,
      env: { ONNXFLEET_CA_FILE: caFile },
    });
    expect(badStatus).toBe(1);
    expect(bad.lines.at(-1)).toMatchObject({
      level: 50,
      code: FETCH_ERROR_CODES.DIGEST_MISMATCH,
      err: expect.stringContaining(`expected ${wrong}, got ${sha256Of(MODEL)}`),
    });
    expect(existsSync(badDest)).toBe(false);
    expect(listDir(work.dir)).toEqual(["model.onnx"]);
  });

  it("CLI: a --ca-file that holds no certificate is a usage error", async () => {
    const notPem = join(work.dir, "ca.pem");
    writeFileSync(notPem, "hello");
    const stderr: string[] = [];
    const status = await fetchMain(
      [
        "--uri",
        `${base}/model.onnx`,
        "--sha256",
        sha256Of(MODEL),
        "--dest",
        join(work.dir, "m.onnx"),
        "--ca-file",
        notPem,
      ],
      { stderr: { write: (text: string) => stderr.push(text) }, env: {} },
    );
    expect(status).toBe(2);
    expect(stderr.join("")).toMatch(/holds no PEM certificate/);
  });

  const bin = new URL("../../bin/onnxfleet-server.cjs", import.meta.url).pathname;
  // Runs the built binary: fails (never skips) when dist/ is missing; `npm test` builds first.
  if (!existsSync(new URL("../../dist/server/main.js", import.meta.url))) {
    throw new Error("dist/server/main.js is missing: run `npm run build` first");
  }
  it("the binary, sent SIGTERM mid-download, removes its temporary file and exits 1", async () => {
    const dest = join(work.dir, "model.onnx");
    const child = spawn(
      process.execPath,
      [
        bin,
        "fetch",
        "--uri",
        `${base}/stalls.onnx`,
        "--sha256",
        sha256Of(MODEL),
        "--dest",
        dest,
        "--ca-file",
        caFile,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // Wait until the request has arrived and the partial file exists.
    while (child.exitCode === null && !listDir(work.dir).some((name) => name.endsWith(".partial"))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGTERM");
    expect(await exited).toBe(1);
    expect(listDir(work.dir)).toEqual([]);
    expect(stdout).toContain('"msg":"fetch cancelled; temporary files removed"');
    expect(stdout).toContain('"reason":"SIGTERM received"');
  });
});
