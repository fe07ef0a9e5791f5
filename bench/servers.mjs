// Starts and stops the servers under test as child processes, and reads their memory use.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The command line of each server kind for one model. */
function commandOf(kind, { repository, modelPath, port, serverArgs = [] }) {
  if (kind === "naive")
    return [fileURLToPath(new URL("./naive-server.mjs", import.meta.url)), modelPath, String(port)];
  if (kind === "bare")
    return [fileURLToPath(new URL("./bare-batching-server.mjs", import.meta.url)), modelPath, String(port)];
  return [
    `${ROOT}bin/onnxfleet-server.cjs`,
    "--model-repository",
    repository,
    "--http-port",
    String(port),
    ...serverArgs,
  ];
}

/**
 * The NODE_OPTIONS the server image runs onnxfleet-server with (the runtime stage's `ENV NODE_OPTIONS=` in
 * server/Dockerfile): the bench runs it as the image does. Undefined when the Dockerfile sets none.
 */
export function imageNodeOptions() {
  const dockerfile = readFileSync(new URL("../server/Dockerfile", import.meta.url), "utf8");
  const runtime = dockerfile.split(/^FROM /m).at(-1) ?? "";
  return /^ENV NODE_OPTIONS=(\S+)$/m.exec(runtime)?.[1];
}

/**
 * Starts a server (`kind` "naive", "onnxfleet" or "bare") serving `model` and resolves once it answers ready.
 * `options.launcher` (a command and its arguments, e.g. valgrind's) runs node under it, and
 * `options.readyTimeoutMs` (default 180 s) bounds the wait for ready, and `options.nodeOptions` sets the
 * server's NODE_OPTIONS (default: the image's for onnxfleet-server, none for the others; "" for none).
 * Returns { url, pid, stop() }.
 */
export async function startServer(kind, options) {
  const port = await freePort();
  const [command, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
  // onnxfleet-server gets the image's NODE_OPTIONS and the hand-written servers none (as a user would start
  // them), unless `options.nodeOptions` says otherwise.
  const nodeOptions = options.nodeOptions ?? (kind === "onnxfleet" ? imageNodeOptions() : undefined);
  const child = spawn(command, [...launcherArgs, ...commandOf(kind, { ...options, port })], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: nodeOptions === undefined ? process.env : { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const base = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} server exited with ${child.exitCode}:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${kind} server did not become ready in ${readyTimeoutMs / 1000} s:\n${stderr}`);
    }
    try {
      const response = await fetch(`${base}/v2/health/ready`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const inferPath = kind === "naive" ? "/infer" : `/v2/models/${options.model}/infer`;
  return {
    url: base + inferPath,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
