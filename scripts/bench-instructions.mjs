// `npm run bench:instructions`: CPU instructions per request of the naive server (the baseline) and of
// onnxfleet-server, counted by valgrind's callgrind, in one run. Wall-clock figures on a shared VM move
// ±25 % between runs; instruction counts move a few per cent, so this is the figure to compare before
// and after a change to the per-request path (docs/benchmark.md, "Instructions per request").
// Needs valgrind (Debian: apt-get install valgrind). See `npm run bench:instructions -- --help`.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeBenchModels } from "../bench/models.mjs";
import { startServer } from "../bench/servers.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HELP = `Usage: npm run bench:instructions -- [options]

  --requests N          requests counted per server and point (default 2000)
  --warmup N            requests sent first, not counted, so the JIT has settled (default 6000)
  --connections LIST    concurrent keep-alive connections, comma-separated (default 1,64)
  --protocols LIST      json, binary (default json)
  --no-build            skip \`npm run build\` (dist/ must be current)

Counts the tiny model's requests (bench/models.mjs). onnxfleet-server runs with --instance-thread main:
under valgrind every run is ~50x slower, so --instance-thread auto would time the model over its 1 ms
threshold and pick a worker thread, which it does not on real hardware.
`;

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    warmup: { type: "string", default: "6000" },
    connections: { type: "string", default: "1,64" },
    protocols: { type: "string", default: "json" },
    "no-build": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (spawnSync("valgrind", ["--version"]).status !== 0) {
  process.stderr.write("bench:instructions needs valgrind on PATH (Debian: apt-get install valgrind)\n");
  process.exit(2);
}
const requests = Number(args.requests);
const warmup = Number(args.warmup);
if (!args["no-build"]) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });

/** Sends `count` requests over `connections` keep-alive connections; rejects on any status but 200. */
async function send(url, body, headers, count, connections) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let left = count;
  const one = () =>
    new Promise((resolve, reject) => {
      const outgoing = request(url, { method: "POST", agent, headers }, (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`${url}: status ${response.statusCode}`)),
        );
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left-- > 0) await one();
    }),
  );
  agent.destroy();
}

/** The `totals:` of one callgrind output file (instructions, the only event collected). */
function totalOf(file) {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.startsWith("totals:"));
  if (line === undefined) throw new Error(`no totals line in ${file}`);
  return Number(line.split(/\s+/)[1]);
}

/** Runs one server under callgrind and counts `requests` requests: { mainThread, allThreads } per request. */
async function count(kind, model, body, headers, connections) {
  const dir = mkdtempSync(join(tmpdir(), "onnxfleet-callgrind-"));
  const server = await startServer(kind, {
    ...model,
    model: model.name,
    serverArgs: ["--instance-thread", "main", "--drain-delay-seconds", "0", "--log-level", "warn"],
    launcher: [
      "valgrind",
      "--tool=callgrind",
      "--smc-check=all-non-file",
      "--instr-atstart=no",
      "--separate-threads=yes",
      `--callgrind-out-file=${join(dir, "callgrind.out")}`,
    ],
    readyTimeoutMs: 300_000,
    // Under valgrind node's code stays where it was loaded: the page size changes no instruction count.
    nodeOptions: "",
  });
  try {
    await send(server.url, body, headers, warmup, connections);
    execFileSync("callgrind_control", ["--instr=on", String(server.pid)], { stdio: "ignore" });
    await send(server.url, body, headers, requests, connections);
    execFileSync("callgrind_control", ["--instr=off", String(server.pid)], { stdio: "ignore" });
    execFileSync("callgrind_control", ["--dump", String(server.pid)], { stdio: "ignore" });
  } finally {
    await server.stop();
  }
  // The dump: one file per thread, callgrind.out.1-01 (the main thread), -02, ...
  const files = readdirSync(dir).filter((name) => /^callgrind\.out\.1-\d+$/.test(name));
  const totals = files.map((name) => ({
    thread: Number(name.split("-").pop()),
    total: totalOf(join(dir, name)),
  }));
  rmSync(dir, { recursive: true, force: true });
  const main = totals.find((t) => t.thread === 1)?.total ?? 0;
  const all = totals.reduce((sum, t) => sum + t.total, 0);
  return { mainThread: main / requests, allThreads: all / requests };
}

const workDir = mkdtempSync(join(tmpdir(), "onnxfleet-bench-instructions-"));
const tiny = { name: "tiny", ...writeBenchModels(workDir, ["tiny"]).tiny };
const thousands = (n) => `${(n / 1000).toFixed(1)}K`;
process.stdout.write(
  `instructions per request (callgrind), tiny model, ${requests} requests after ${warmup} of warm-up, ` +
    `node ${process.version}\n`,
);
process.stdout.write(
  "protocol conns | naive main  all threads | onnxfleet main  all threads | onnxfleet/naive main  all\n",
);
try {
  for (const protocol of args.protocols.split(",")) {
    const body = readFileSync(protocol === "binary" ? tiny.binaryBodyFile : tiny.bodyFile);
    const headers =
      protocol === "binary"
        ? {
            "content-type": "application/octet-stream",
            "inference-header-content-length": String(tiny.binaryHeaderLength),
          }
        : { "content-type": "application/json" };
    for (const connections of args.connections.split(",").map(Number)) {
      const naive = await count("naive", tiny, body, headers, connections);
      const onnxfleet = await count("onnxfleet", tiny, body, headers, connections);
      process.stdout.write(
        `${protocol.padEnd(8)} ${String(connections).padStart(5)} | ${thousands(naive.mainThread).padStart(10)} ` +
          `${thousands(naive.allThreads).padStart(12)} | ${thousands(onnxfleet.mainThread).padStart(14)} ` +
          `${thousands(onnxfleet.allThreads).padStart(12)} | ` +
          `${(onnxfleet.mainThread / naive.mainThread).toFixed(2).padStart(20)}x ` +
          `${(onnxfleet.allThreads / naive.allThreads).toFixed(2)}x\n`,
      );
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
