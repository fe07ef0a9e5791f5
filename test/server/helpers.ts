/** Test helpers: temporary model repositories on disk, and an app over them. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { buildApp } from "../../server/app";
import { ModelRepository, type ModelRepositoryOptions } from "../../server/repository/repository";
import type { ModelSource } from "../../server/runtime/session";
import { buildModel } from "../../server/testing/onnx-builder";

/** A model file as the repository hands it to sessions: read once. */
export function modelSource(path: string): ModelSource {
  return { path, bytes: readFileSync(path) };
}

/** model name -> version -> ONNX bytes, plus optional config.json content per model. */
export interface RepositoryLayout {
  readonly [model: string]: {
    readonly versions: Readonly<Record<number, Uint8Array>>;
    readonly config?: unknown;
  };
}

/** Writes a repository into a fresh temporary directory and returns its path. */
export function writeRepository(layout: RepositoryLayout): string {
  const root = mkdtempSync(join(tmpdir(), "onnxfleet-repo-"));
  for (const [model, { versions, config }] of Object.entries(layout)) {
    for (const [version, bytes] of Object.entries(versions)) {
      mkdirSync(join(root, model, version), { recursive: true });
      writeFileSync(join(root, model, version, "model.onnx"), bytes);
    }
    if (config !== undefined) writeFileSync(join(root, model, "config.json"), JSON.stringify(config));
  }
  return root;
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly repository: ModelRepository;
  readonly root: string;
  close(): Promise<void>;
}

/** A loaded repository and an app over it (not listening). */
export async function startTestServer(
  layout: RepositoryLayout,
  options: Omit<ModelRepositoryOptions, "root"> & { bodyLimitBytes?: number } = {},
): Promise<TestServer> {
  const root = writeRepository(layout);
  const repository = new ModelRepository({ root, ...options });
  await repository.load();
  const app = buildApp({ repository, bodyLimitBytes: options.bodyLimitBytes });
  await app.ready();
  return {
    app,
    repository,
    root,
    async close() {
      await app.close();
      await repository.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A binary-extension request body built by hand (independent of the server's codec). */
export function binaryRequest(
  header: unknown,
  chunks: readonly Uint8Array[],
): { headers: Record<string, string>; payload: Buffer } {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  return {
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(json.length),
    },
    payload: Buffer.concat([json, ...chunks]),
  };
}

/** The JSON header of a binary-extension response. */
export interface BinaryResponseHeader {
  readonly model_name: string;
  readonly model_version: string;
  readonly id?: string;
  readonly outputs: {
    readonly name: string;
    readonly datatype: string;
    readonly shape: number[];
    readonly parameters: { readonly binary_data_size: number };
  }[];
}

/** Splits a binary-extension response into its JSON header and the bytes after it. */
export function splitBinaryResponse(
  headers: Record<string, unknown>,
  body: Buffer,
): { header: BinaryResponseHeader; binary: Buffer } {
  const length = Number(headers["inference-header-content-length"]);
  return { header: JSON.parse(body.subarray(0, length).toString("utf8")), binary: body.subarray(length) };
}

/** BYTES elements as the binary extension carries them: 4-byte little-endian length, then the bytes. */
export function lengthPrefixed(elements: readonly string[]): Buffer {
  return Buffer.concat(
    elements.flatMap((text) => {
      const bytes = Buffer.from(text, "utf8");
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(bytes.length);
      return [prefix, bytes];
    }),
  );
}

/** y = Range(start, limit, delta), FP32: a 3-number request asks for an output of any size. */
export function rangeModel(): Uint8Array {
  return buildModel({
    inputs: [
      { name: "start", datatype: "FP32", shape: [] },
      { name: "limit", datatype: "FP32", shape: [] },
      { name: "delta", datatype: "FP32", shape: [] },
    ],
    outputs: [{ name: "y", datatype: "FP32", shape: ["n"] }],
    nodes: [{ op: "Range", inputs: ["start", "limit", "delta"], outputs: ["y"] }],
  });
}

/** Executors that run the session as it is, except for `slowModel`, which waits `delayMs` before each run. */
export function delayingExecutors(
  slowModel: string,
  delayMs: number,
): ModelRepositoryOptions["createExecutor"] {
  return ({ modelName, session }) =>
    modelName !== slowModel
      ? session
      : {
          infer: async (inputs, outputs) => {
            await new Promise((resolve) => setTimeout(resolve, delayMs));
            return session.infer(inputs, outputs);
          },
        };
}

/**
 * Probes `url` (expecting 200) every `intervalMs` until `stop()`, which resolves with the slowest probe's
 * time in ms.
 */
export function probeContinuously(url: string, intervalMs: number): { stop(): Promise<number> } {
  let probing = true;
  let slowestMs = 0;
  const probes = (async () => {
    while (probing) {
      const sent = performance.now();
      expect((await fetch(url)).status).toBe(200);
      slowestMs = Math.max(slowestMs, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      probing = false;
      await probes;
      return slowestMs;
    },
  };
}
