// Drives a server with wrk (a separate process, as a real client would be) and returns throughput and
// latency percentiles. wrk comes from Debian's `wrk` package.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./wrk-post.lua", import.meta.url));

/**
 * Runs `wrk` against `url` with `connections` connections for `seconds`, POSTing the body in `bodyFile`
 * (JSON, or a binary tensor extension body when `headerLength`, its JSON header's length, is given).
 * Resolves to { requests, rowsPerSec, p50Ms, p90Ms, p99Ms, meanMs, maxMs, errors }.
 */
export function runLoad({ url, bodyFile, headerLength, connections, seconds, rowsPerRequest = 1 }) {
  const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "30s", "-s", SCRIPT, url];
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      BENCH_BODY_FILE: bodyFile,
      BENCH_HEADER_LENGTH: String(headerLength ?? ""),
    };
    execFile("wrk", args, { env }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
      if (!line) return reject(new Error(`wrk printed no summary:\n${stdout}\n${stderr}`));
      const raw = JSON.parse(line.slice("BENCH_JSON ".length));
      const errors = Object.values(raw.errors).reduce((a, b) => a + b, 0);
      const ms = (us) => us / 1000;
      resolve({
        requests: raw.requests,
        rowsPerSec: ((raw.requests - raw.errors.status) * rowsPerRequest) / (raw.durationUs / 1e6),
        p50Ms: ms(raw.latencyUs.p50),
        p90Ms: ms(raw.latencyUs.p90),
        p99Ms: ms(raw.latencyUs.p99),
        meanMs: ms(raw.latencyUs.mean),
        maxMs: ms(raw.latencyUs.max),
        errors,
      });
    });
  });
}
