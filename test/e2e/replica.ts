/** Real `onnxfleet-server` processes, started from the built dist as the container runs them. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import net from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The server's bin script (it requires dist/server/main.js). */
export const SERVER_BIN = resolve(ROOT, "bin/onnxfleet-server.cjs");
const DIST_MAIN = resolve(ROOT, "dist/server/main.js");

/** A TCP port free on 127.0.0.1 right now (the OS picks it; closed again before it is returned). */
export async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Throws a clear message when dist is missing (CI builds before vitest runs). */
export function requireBuiltServer(): void {
  if (!existsSync(DIST_MAIN)) {
    throw new Error(`${DIST_MAIN} is missing: run \`npm run build\` before this test`);
  }
}

export interface Replica {
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the server wrote (JSON log lines). */
  output(): string;
  /** Resolves when the process exits, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Starts one replica on `port` and resolves once it answers `GET /v2/health/ready` with 200. */
export async function startReplica(options: {
  repository: string;
  port: number;
  extraArgs?: readonly string[];
}): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [
      SERVER_BIN,
      "--model-repository",
      options.repository,
      "--http-port",
      String(options.port),
      "--host",
      "127.0.0.1",
      "--log-level",
      "warn",
      ...(options.extraArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ONNXFLEET_INTRA_OP_THREADS: "1" } },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${options.port}/v2/health/ready`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`replica on ${options.port} exited: ${output}`);
    const ready = await fetch(url).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (attempt > 600) throw new Error(`replica on ${options.port} never became ready: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port: options.port, process: child, output: () => output, exited };
}
