/** Test helpers: temporary model repositories on disk, and an app over them. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app";
import { ModelRepository, type ModelRepositoryOptions } from "../../server/repository/repository";

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
