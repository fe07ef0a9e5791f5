// `npm run bench:side-by-side`: one point (a model, an encoding, a connection count) measured on four
// servers that run at the same time, the load (wrk) turning from one to the next every round: the naive
// server and onnxfleet-server as `npm run bench` starts them, and each again with extra NODE_OPTIONS
// (`--node-options`, default --use-largepages=silent). The servers idle between their turns, so a slow
// spell of the shared machine lands on every server of a round alike; the medians of many short rounds
// after a long warm-up are the steady-state comparison (docs/benchmark.md, fourth sitting). `npm run
// bench` stays the measure of the bars. See `-- --help`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runLoad } from "../bench/load.mjs";
import { BENCH_MODELS, writeBenchModels } from "../bench/models.mjs";
import { imageNodeOptions, startServer } from "../bench/servers.mjs";

const HELP = `Usage: npm run bench:side-by-side -- [options]

  --model NAME          ${Object.keys(BENCH_MODELS).join(" or ")} (default tiny)
  --protocol P          json or binary (default json)
  --connections N       concurrent connections (default 1)
  --rounds N            rounds; each measures every server once (default 7)
  --seconds S           seconds of load per server and round (default 3)
  --warmup S            seconds of load on each server before the first round (default 8)
  --node-options OPTS   the NODE_OPTIONS of the second pair of servers (default --use-largepages=silent)
  --no-build            skip \`npm run build\` (dist/ must be current)

Prints rows/s per round and the median per server, and each median against the naive server's.
`;

const { values: args } = parseArgs({
  options: {
    model: { type: "string", default: "tiny" },
    protocol: { type: "string", default: "json" },
    connections: { type: "string", default: "1" },
    rounds: { type: "string", default: "7" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "8" },
    "node-options": { type: "string", default: "--use-largepages=silent" },
    "no-build": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const { model, protocol } = args;
if (!(model in BENCH_MODELS)) throw new Error(`--model: unknown model ${model}`);
if (protocol !== "json" && protocol !== "binary")
  throw new Error(`--protocol: json or binary, not ${protocol}`);
const [connections, rounds, seconds, warmup] = [args.connections, args.rounds, args.seconds, args.warmup].map(
  Number,
);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
if (!args["no-build"]) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });

const image = imageNodeOptions() ?? "";
const extra = `${image} ${args["node-options"]}`.trim();
const SERVERS = [
  { name: "naive", kind: "naive", nodeOptions: "" },
  { name: "onnxfleet", kind: "onnxfleet", nodeOptions: image },
  { name: "onnxfleet with --node-options", kind: "onnxfleet", nodeOptions: extra },
  { name: "naive with --node-options", kind: "naive", nodeOptions: args["node-options"] },
];

const dir = mkdtempSync(join(tmpdir(), "onnxfleet-side-by-side-"));
const written = writeBenchModels(dir, [model])[model];
const body =
  protocol === "json"
    ? { bodyFile: written.bodyFile }
    : { bodyFile: written.binaryBodyFile, headerLength: written.binaryHeaderLength };
const running = [];
try {
  for (const server of SERVERS) {
    running.push(await startServer(server.kind, { ...written, model, nodeOptions: server.nodeOptions }));
  }
  for (const server of running) await runLoad({ url: server.url, ...body, connections, seconds: warmup });
  const rowsPerSec = SERVERS.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [index, server] of running.entries()) {
      const result = await runLoad({ url: server.url, ...body, connections, seconds });
      if (result.errors > 0) throw new Error(`${SERVERS[index].name}: ${result.errors} errors`);
      rowsPerSec[index].push(result.rowsPerSec);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const naive = median(rowsPerSec[0]);
  process.stdout.write(
    `${model} ${protocol} @${connections}, ${rounds} rounds of ${seconds} s after ${warmup} s of warm-up; ` +
      `the image's NODE_OPTIONS: ${image || "none"}; --node-options: ${args["node-options"]}\n`,
  );
  for (const [index, server] of SERVERS.entries()) {
    const own = median(rowsPerSec[index]);
    const rounded = rowsPerSec[index].map((value) => Math.round(value)).join(", ");
    process.stdout.write(
      `${server.name.padEnd(38)} median ${Math.round(own).toString().padStart(7)} rows/s, ` +
        `${(own / naive).toFixed(3)}x naive (rounds: ${rounded})\n`,
    );
  }
} finally {
  for (const server of running) await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
