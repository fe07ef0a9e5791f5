/**
 * One `onnxfleet-server` child process for a measurement: the bundled bin script on a free loopback port,
 * optionally pinned to CPUs with `taskset` (util-linux), resolved once the server answers ready.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";

/** The server's bin script: `bin/` of the package this file belongs to (from `dist/server/profile/` or the source). */
export function serverBin(): string {
  let dir = __dirname;
  for (let up = 0; up < 4; up++) {
    const candidate = resolve(dir, "bin/onnxfleet-server.cjs");
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, "..");
  }
  throw new Error(`bin/onnxfleet-server.cjs not found above ${__dirname}`);
}

/** A running server. */
export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  readonly process: ChildProcess;
  /** What the server wrote so far (its JSON log). */
  output(): string;
  /** Peak resident memory so far (VmHWM of /proc/PID/status), in bytes; 0 where /proc is missing. */
  peakRssBytes(): number;
  /** SIGTERM, then resolves when the process has exited. */
  stop(): Promise<void>;
}

/** A free TCP port on loopback (the kernel's pick, released before the server binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** True when `taskset` runs here. */
export function tasksetAvailable(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set size of process `pid`, from /proc. */
export function peakRssOf(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts `onnxfleet-server --model-repository repository` with `args`, pinned to `cpus` when given. */
export async function startServer(options: {
  readonly repository: string;
  readonly args?: readonly string[];
  /** CPU list for `taskset -c`, e.g. `"0"` or `"0-3"`. */
  readonly cpus?: string;
  /** Seconds to wait for readiness. @default 60 */
  readonly readyTimeoutSeconds?: number;
  /**
   * Niceness to run at (`nice -n`, every thread); below 0 needs the privilege, else the server runs at the
   * normal priority.
   * @default - the caller's
   */
  readonly niceness?: number;
  /**
   * Run in a session of its own (`setsid`). With Linux's autogroup scheduling (`kernel.sched_autogroup_enabled`)
   * the CPU is shared between sessions first: servers started from one session share that session's share,
   * where pods on a node each get their own.
   * @default false
   */
  readonly ownSession?: boolean;
}): Promise<ServerProcess> {
  const port = await freePort();
  const serverArgs = [
    serverBin(),
    "--model-repository",
    options.repository,
    "--http-port",
    String(port),
    "--host",
    "127.0.0.1",
    "--log-level",
    "warn",
    ...(options.args ?? []),
  ];
  const pinned = options.cpus !== undefined ? ["taskset", "-c", options.cpus] : [];
  const niced = options.niceness !== undefined ? ["nice", "-n", String(options.niceness)] : [];
  const session = options.ownSession ? ["setsid"] : [];
  const [command, ...args] = [...session, ...niced, ...pinned, process.execPath, ...serverArgs] as [
    string,
    ...string[],
  ];
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit");
  const deadline = Date.now() + (options.readyTimeoutSeconds ?? 60) * 1000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`onnxfleet-server exited before it was ready: ${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/v2/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `onnxfleet-server was not ready within ${options.readyTimeoutSeconds ?? 60} s: ${output}`,
      );
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  const pid = child.pid!;
  return {
    port,
    pid,
    process: child,
    output: () => output,
    peakRssBytes: () => peakRssOf(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
