/**
 * A real haproxy on loopback for the rolling-update test: config written to a temp dir, health checks on
 * `GET /v2/health/ready`, fast checks, no retries and no redispatch (a failure reaches the client), and a
 * CSV stats page to see which servers haproxy holds UP.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The load balancer's view of one backend server. */
export type ServerStatus = "UP" | "DOWN" | "MAINT" | string;

export interface Haproxy {
  readonly frontendPort: number;
  /** haproxy's log so far: server UP/DOWN changes and requests that did not succeed. */
  log(): string;
  /** Status of each backend server by name, from haproxy's stats CSV. */
  statuses(): Promise<Record<string, ServerStatus>>;
  stop(): Promise<void>;
}

/** True when the haproxy binary is on PATH. */
export function haproxyAvailable(): boolean {
  try {
    execFileSync("haproxy", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The config: round robin over `servers`, http mode with keep-alive on both sides. */
export function haproxyConfig(options: {
  frontendPort: number;
  statsPort: number;
  servers: Readonly<Record<string, number>>;
  checkIntervalMs: number;
  /** haproxy's balance algorithm. @default "roundrobin" */
  balance?: "roundrobin" | "leastconn";
}): string {
  const inter = `${options.checkIntervalMs}ms`;
  return [
    "global",
    "  maxconn 2000",
    // Server state changes and failed requests go to stderr, for the failure message of a test.
    "  log stderr format raw local0 notice",
    "defaults",
    "  mode http",
    "  log global",
    "  option httplog",
    "  option dontlog-normal",
    "  option http-keep-alive",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  timeout http-keep-alive 30s",
    // A slow answer on a busy test machine is not a failed check; only a non-200 answer is.
    "  timeout check 2s",
    // A failed attempt is not retried on the same or another server: every failure is visible.
    "  retries 0",
    "  no option redispatch",
    "frontend inference",
    `  bind 127.0.0.1:${options.frontendPort}`,
    "  default_backend replicas",
    "backend replicas",
    `  balance ${options.balance ?? "roundrobin"}`,
    "  option httpchk GET /v2/health/ready",
    "  http-check expect status 200",
    `  default-server check inter ${inter} fastinter ${inter} downinter ${inter} fall 1 rise 1`,
    ...Object.entries(options.servers).map(([name, port]) => `  server ${name} 127.0.0.1:${port}`),
    "listen stats",
    `  bind 127.0.0.1:${options.statsPort}`,
    "  stats enable",
    "  stats uri /stats",
    "",
  ].join("\n");
}

/** Starts haproxy in the foreground with the config written under `dir`. */
export async function startHaproxy(
  dir: string,
  options: Parameters<typeof haproxyConfig>[0],
  /** Niceness to run at (`nice -n`); below 0 needs the privilege. */
  niceness?: number,
): Promise<Haproxy> {
  const configFile = join(dir, "haproxy.cfg");
  writeFileSync(configFile, haproxyConfig(options));
  execFileSync("haproxy", ["-c", "-q", "-f", configFile]);
  const command = ["haproxy", "-db", "-f", configFile];
  // Its own session (autogroup): see startServer's `ownSession`.
  const niced = niceness === undefined ? command : ["setsid", "nice", "-n", String(niceness), ...command];
  const child: ChildProcess = spawn(niced[0]!, niced.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const statsUrl = `http://127.0.0.1:${options.statsPort}/stats;csv`;
  const statuses = async (): Promise<Record<string, ServerStatus>> => {
    const csv = await (await fetch(statsUrl)).text();
    const [head, ...rows] = csv.trim().split("\n");
    const columns = (head ?? "").replace(/^# /, "").split(",");
    const svname = columns.indexOf("svname");
    const status = columns.indexOf("status");
    const result: Record<string, ServerStatus> = {};
    for (const row of rows) {
      const cells = row.split(",");
      if (cells[0] === "replicas" && cells[svname] !== "BACKEND") result[cells[svname]!] = cells[status]!;
    }
    return result;
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${stderr}`);
    try {
      await statuses();
      break;
    } catch (error) {
      if (attempt > 100) throw new Error(`haproxy did not start: ${(error as Error).message}; ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    frontendPort: options.frontendPort,
    log: () => stderr,
    statuses,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
