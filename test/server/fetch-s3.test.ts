import { existsSync, readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FETCH_ERROR_CODES, fetchMain, fetchModel } from "../../server/fetch";
import { bytesOf, captureLogs, listDir, makeCertificates, sha256Of, tempDir } from "./fetch-helpers";

const MODEL = readFileSync("/usr/share/libonnx-testdata/data/node/test_add/model.onnx");
const LARGE = bytesOf(2 * 1024 * 1024, 3);
const FAST_RETRY = { initialDelayMs: 1, maxDelayMs: 5 };
const CREDENTIAL_ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
] as const;

describe("fetch from s3:// (s3rver on loopback, default credential chain)", () => {
  let store: ReturnType<typeof tempDir>;
  let s3rver: S3rver;
  let endpoint: string;
  // A pass-through proxy in front of s3rver that counts requests and can answer 503 SlowDown first.
  let proxy: Server;
  let proxyEndpoint: string;
  const hits = new Map<string, number>();
  const slowDownFirst = new Map<string, number>();
  const savedEnv: Partial<Record<string, string>> = {};
  let work: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    for (const name of CREDENTIAL_ENV) savedEnv[name] = process.env[name];
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    // s3rver's fixed credentials, given the way EKS would not (env) but read by the same default chain.
    process.env.AWS_ACCESS_KEY_ID = "S3RVER";
    process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";

    store = tempDir("fetch-s3rver");
    s3rver = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: store.dir,
      configureBuckets: [{ name: "models" }],
    });
    const { port } = await s3rver.run();
    endpoint = `http://127.0.0.1:${port}`;
    const put = new S3Client({
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await put.send(new PutObjectCommand({ Bucket: "models", Key: "add/1/model.onnx", Body: MODEL }));
    await put.send(new PutObjectCommand({ Bucket: "models", Key: "big/1/model.onnx", Body: LARGE }));
    put.destroy();

    proxy = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0]!;
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      if (hit <= (slowDownFirst.get(path) ?? 0)) {
        res.writeHead(503, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
        );
        return;
      }
      const upstream = request(
        `${endpoint}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await s3rver.close();
    store.remove();
    for (const name of CREDENTIAL_ENV) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });
  beforeEach(() => {
    hits.clear();
    slowDownFirst.clear();
    work?.remove();
    work = tempDir("fetch-s3");
  });

  it("downloads a real ONNX object through an endpoint override with path-style addressing", async () => {
    const dest = join(work.dir, "add", "1", "model.onnx");
    const result = await fetchModel(
      { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(MODEL), dest },
      { s3: { endpoint, forcePathStyle: true } },
    );
    expect(result).toMatchObject({ outcome: "downloaded", bytes: MODEL.length, attempts: 1 });
    expect(readFileSync(dest).equals(MODEL)).toBe(true);
  });

  it("logs progress with the object's size from S3", async () => {
    const { logger, lines } = captureLogs();
    await fetchModel(
      { uri: "s3://models/big/1/model.onnx", sha256: sha256Of(LARGE), dest: join(work.dir, "big.onnx") },
      { s3: { endpoint, forcePathStyle: true }, logger, progressIntervalMs: 0 },
    );
    const progress = lines.filter((line) => line.msg === "fetch progress");
    expect(progress.at(-1)).toMatchObject({ bytes: LARGE.length, totalBytes: LARGE.length, percent: 100 });
  });

  it("retries S3 throttling (503 SlowDown) with backoff, then succeeds", async () => {
    slowDownFirst.set("/models/add/1/model.onnx", 2);
    const { logger, lines } = captureLogs();
    const dest = join(work.dir, "model.onnx");
    const result = await fetchModel(
      { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(MODEL), dest },
      { s3: { endpoint: proxyEndpoint, forcePathStyle: true }, logger, retry: FAST_RETRY },
    );
    expect(result.attempts).toBe(3);
    expect(hits.get("/models/add/1/model.onnx")).toBe(3);
    const retries = lines.filter((line) => line.msg === "fetch failed, retrying");
    expect(retries).toHaveLength(2);
    expect(retries[0]?.err).toMatch(/SlowDown \(503\)/);
    expect(readFileSync(dest).equals(MODEL)).toBe(true);
  });

  it("gives up after maxAttempts of throttling, leaving nothing behind", async () => {
    slowDownFirst.set("/models/add/1/model.onnx", 100);
    const failure = fetchModel(
      { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(MODEL), dest: join(work.dir, "model.onnx") },
      { s3: { endpoint: proxyEndpoint, forcePathStyle: true }, retry: { ...FAST_RETRY, maxAttempts: 4 } },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.TRANSIENT });
    expect(hits.get("/models/add/1/model.onnx")).toBe(4);
    expect(listDir(work.dir)).toEqual([]);
  });

  it("does not retry a missing key (404 NoSuchKey)", async () => {
    const failure = fetchModel(
      { uri: "s3://models/nope/1/model.onnx", sha256: sha256Of(MODEL), dest: join(work.dir, "model.onnx") },
      { s3: { endpoint: proxyEndpoint, forcePathStyle: true }, retry: FAST_RETRY },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.SOURCE_REFUSED });
    await expect(failure).rejects.toThrow(/NoSuchKey \(404\)/);
    expect(hits.get("/models/nope/1/model.onnx")).toBe(1);
    expect(listDir(work.dir)).toEqual([]);
  });

  it("does not retry a 403 (unknown access key), and hints at the pod's IAM role", async () => {
    process.env.AWS_ACCESS_KEY_ID = "UNKNOWN";
    try {
      const failure = fetchModel(
        { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(MODEL), dest: join(work.dir, "model.onnx") },
        { s3: { endpoint: proxyEndpoint, forcePathStyle: true }, retry: FAST_RETRY },
      );
      await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.SOURCE_REFUSED });
      await expect(failure).rejects.toThrow(/\(403\).*EKS Pod Identity or IRSA/);
      expect(hits.get("/models/add/1/model.onnx")).toBe(1);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = "S3RVER";
    }
  });

  it("refuses an object whose bytes do not match the pin, keeping the existing destination", async () => {
    const dest = join(work.dir, "model.onnx");
    const failure = fetchModel(
      { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(LARGE), dest },
      { s3: { endpoint, forcePathStyle: true }, retry: FAST_RETRY },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.DIGEST_MISMATCH });
    await expect(failure).rejects.toThrow(`expected ${sha256Of(LARGE)}, got ${sha256Of(MODEL)}`);
    expect(existsSync(dest)).toBe(false);
    expect(listDir(work.dir)).toEqual([]);
  });

  it("CLI: --manifest with the endpoint and path style from the environment", async () => {
    const manifest = join(work.dir, "manifest.json");
    const addDest = join(work.dir, "repo", "add", "1", "model.onnx");
    const bigDest = join(work.dir, "repo", "big", "1", "model.onnx");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      manifest,
      JSON.stringify([
        { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(MODEL), dest: addDest },
        { uri: "s3://models/big/1/model.onnx", sha256: sha256Of(LARGE), dest: bigDest },
      ]),
    );
    const { lines, stream } = captureLogs();
    const env = { ONNXFLEET_S3_ENDPOINT: endpoint, ONNXFLEET_S3_FORCE_PATH_STYLE: "true" };
    const argv = ["--manifest", manifest, "--dest-root", join(work.dir, "repo")];
    expect(await fetchMain(argv, { logDestination: stream, env })).toBe(0);
    expect(readFileSync(addDest).equals(MODEL)).toBe(true);
    expect(readFileSync(bigDest).equals(LARGE)).toBe(true);
    // Run again: an init container restarted after success downloads nothing.
    const again = captureLogs();
    expect(await fetchMain(argv, { logDestination: again.stream, env })).toBe(0);
    expect(
      again.lines.filter((line) => line.msg === "model already present with the pinned sha256"),
    ).toHaveLength(2);
    expect(lines.every((line) => line.name === "onnxfleet-fetch")).toBe(true);
  });
});

describe("fetch from s3:// over https behind a private CA", () => {
  let store: ReturnType<typeof tempDir>;
  let certs: ReturnType<typeof tempDir>;
  let caPem: string;
  let s3rver: S3rver;
  let endpoint: string;
  let work: ReturnType<typeof tempDir>;
  const savedEnv: Partial<Record<string, string>> = {};

  beforeAll(async () => {
    for (const name of CREDENTIAL_ENV) savedEnv[name] = process.env[name];
    process.env.AWS_ACCESS_KEY_ID = "S3RVER";
    process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
    certs = tempDir("fetch-s3-certs");
    const made = makeCertificates(certs.dir);
    caPem = readFileSync(made.caFile, "utf8");
    store = tempDir("fetch-s3rver-tls");
    s3rver = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: store.dir,
      key: made.key,
      cert: made.cert,
      configureBuckets: [{ name: "models" }],
    });
    const { port } = await s3rver.run();
    endpoint = `https://127.0.0.1:${port}`;
    const put = new S3Client({
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestHandler: { httpsAgent: new Agent({ ca: caPem }) },
    });
    await put.send(new PutObjectCommand({ Bucket: "models", Key: "add/1/model.onnx", Body: MODEL }));
    put.destroy();
    work = tempDir("fetch-s3-tls");
  });
  afterAll(async () => {
    await s3rver.close();
    store.remove();
    certs.remove();
    work.remove();
    for (const name of CREDENTIAL_ENV) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });

  it("trusts the endpoint with the extra CA and refuses it, unretried, without", async () => {
    const request = { uri: "s3://models/add/1/model.onnx", sha256: sha256Of(MODEL) };
    const { logger, lines } = captureLogs();
    const failure = fetchModel(
      { ...request, dest: join(work.dir, "untrusted.onnx") },
      { s3: { endpoint, forcePathStyle: true }, logger, retry: FAST_RETRY },
    );
    await expect(failure).rejects.toMatchObject({ code: FETCH_ERROR_CODES.SOURCE_REFUSED });
    await expect(failure).rejects.toThrow(/private CA, pass its certificate with --ca-file/);
    expect(lines.some((line) => line.msg === "fetch failed, retrying")).toBe(false);
    expect(listDir(work.dir)).toEqual([]);

    const dest = join(work.dir, "model.onnx");
    await fetchModel({ ...request, dest }, { s3: { endpoint, forcePathStyle: true }, extraCaPem: caPem });
    expect(readFileSync(dest).equals(MODEL)).toBe(true);
  });
});
