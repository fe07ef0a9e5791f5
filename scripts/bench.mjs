// `npm run bench`: onnxruntime-node in process (the limit) vs the naive node:http server (the baseline)
// vs onnxfleet-server (and, with --bare, a server that only batches: the reference), on two MLPs, in one
// run on this machine. Load comes from wrk (a separate process).
// Prints rows/s and latency percentiles with the ratios, checks the targets of docs/benchmark.md, and
// writes bench/results/latest.json and bench/results/latest.svg. See `npm run bench -- --help`.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runLoad } from "../bench/load.mjs";
import { BENCH_MODELS, writeBenchModels } from "../bench/models.mjs";
import { plotSvg } from "../bench/plot.mjs";
import { waitForQuiet } from "../bench/quiet.mjs";
import { imageNodeOptions, startServer } from "../bench/servers.mjs";
import { runSoak } from "../bench/soak.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HELP = `Usage: npm run bench -- [options]

  --quick               short run: 2 s per point, connections 1 and 32/64 only
  --repeat N            measure every point N times, the servers back to back each time, and report medians
                        (of rows/s and latencies per server, of the per-round ratios) (default 1)
  --duration S          seconds of load per point (default 5; --quick 2)
  --models LIST         comma-separated, from: ${Object.keys(BENCH_MODELS).join(", ")} (default all)
  --connections LIST    comma-separated connection counts (default 1,8,32,64)
  --protocols LIST      request encodings, from: json (V2 JSON), binary (the binary tensor extension, binary
                        outputs too) (default json,binary); the targets are checked for each
  --server-args="ARGS"  extra flags for onnxfleet-server (e.g. --server-args="--instances 2")
  --bare                also measure bench/bare-batching-server.mjs (a reference: batching and nothing else)
  --soak S              instead: sustained load on onnxfleet-server for S seconds, sampling its RSS
  --out DIR             where latest.json and latest.svg go (default bench/results)
  --no-build            skip \`npm run build\` (dist/ must be current)
  --no-wait-quiet       measure at once; by default each point waits (up to 10 s) for the machine's CPUs
                        to be under 15 % busy, and records the background load it saw
`;

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    repeat: { type: "string", default: "1" },
    duration: { type: "string" },
    models: { type: "string", default: Object.keys(BENCH_MODELS).join(",") },
    connections: { type: "string" },
    protocols: { type: "string", default: "json,binary" },
    "server-args": { type: "string", default: "" },
    soak: { type: "string" },
    bare: { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "bench", "results") },
    "no-build": { type: "boolean", default: false },
    "no-wait-quiet": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const models = args.models.split(",");
for (const model of models) {
  if (!(model in BENCH_MODELS))
    throw new Error(`--models: unknown model ${model}; known: ${Object.keys(BENCH_MODELS)}`);
}
const PROTOCOL_NAMES = {
  json: "json: V2 JSON in and out",
  binary: "binary: the binary tensor extension, FP32 bytes in and out",
};
const PROTOCOLS = Object.keys(PROTOCOL_NAMES);
const protocols = args.protocols.split(",");
for (const protocol of protocols) {
  if (!PROTOCOLS.includes(protocol))
    throw new Error(`--protocols: unknown protocol ${protocol}; known: ${PROTOCOLS}`);
}
const repeat = Number(args.repeat);
const seconds = Number(args.duration ?? (args.quick ? 2 : 5));
const connectionsOf = (model) =>
  args.connections
    ? args.connections.split(",").map(Number)
    : args.quick
      ? [1, model === "wide" ? 32 : 64]
      : [1, 8, 32, 64];
const serverArgs = args["server-args"].split(" ").filter(Boolean);
const SERVERS = ["naive", "onnxfleet", ...(args.bare ? ["bare"] : [])];
const log = (line) => process.stderr.write(`${line}\n`);
const BATCH_SIZES = "1,2,4,8,16,32,64";

if (!args["no-build"]) {
  log("building (npm run build) ...");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
const work = mkdtempSync(join(tmpdir(), "onnxfleet-bench-"));
try {
  const written = writeBenchModels(work, models);
  if (args.soak) {
    await runSoak({ written, seconds: Number(args.soak), serverArgs, log, out: args.out });
  } else {
    await benchmark(written);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function benchmark(written) {
  const started = new Date();
  const inProcess = {};
  for (const model of models) {
    log(`${model}: onnxruntime-node in process, batch sizes 1..64 ...`);
    const script = join(ROOT, "bench", "in-process.mjs");
    const perBatch = args.quick ? 0.5 : 1.5;
    const configs = {};
    for (const spinning of ["default", "off"]) {
      const runs = [];
      for (let r = 0; r < repeat; r++) {
        if (!args["no-wait-quiet"]) await waitForQuiet({ maxWaitMs: 10_000 });
        const stdout = execFileSync(
          process.execPath,
          [
            script,
            written[model].modelPath,
            String(written[model].width),
            String(perBatch),
            BATCH_SIZES,
            spinning,
          ],
          { encoding: "utf8" },
        );
        runs.push(JSON.parse(stdout));
      }
      configs[spinning] = runs[0].map((entry, i) => ({
        batch: entry.batch,
        rowsPerSec: median(runs.map((run) => run[i].rowsPerSec)),
      }));
    }
    // The limit is the best of both session settings at any batch size.
    const batches = configs.default.map((entry, i) => ({
      batch: entry.batch,
      rowsPerSec: Math.max(entry.rowsPerSec, configs.off[i].rowsPerSec),
      rowsPerSecSpinning: entry.rowsPerSec,
      rowsPerSecNoSpinning: configs.off[i].rowsPerSec,
    }));
    inProcess[model] = { batches, limitRowsPerSec: Math.max(...batches.map((b) => b.rowsPerSec)) };
  }

  // Every server of a model runs for the whole model; each point is measured once per round on every
  // server back to back (same encoding, same connections, seconds apart), so a slow spell of the shared
  // machine lands on both sides of a round's ratio rather than on one server's rounds.
  const samples = [];
  for (const model of models) {
    const running = {};
    try {
      for (const server of SERVERS) {
        log(`${model}: starting the ${server} server ...`);
        running[server] = await startServer(server, { ...written[model], model, serverArgs });
      }
      for (const protocol of protocols) {
        for (const c of connectionsOf(model)) {
          log(`${model}: ${protocol} at ${c} connection(s), ${repeat} round(s) ...`);
          for (let round = 0; round < repeat; round++) {
            for (const server of SERVERS) {
              const load = { url: running[server].url, ...bodyOf(written[model], protocol), seconds: 1 };
              // Each point is preceded by a second of the same load, not measured: a lone request and a
              // batch take different code paths, and the first seconds of a path run before V8 has
              // optimised it (2026-12-02: tiny @1 json p90 631 µs in the first 3 s of a fresh server,
              // 222 µs in the next run of the same load). Every server gets the same warm-up.
              await runLoad({ ...load, connections: c });
              const backgroundBusy = args["no-wait-quiet"] ? null : await waitForQuiet({ maxWaitMs: 10_000 });
              const result = await runLoad({ ...load, connections: c, seconds });
              if (result.errors > 0)
                log(
                  `  ${server} ${protocol} c${c}: ${result.errors} errors (${running[server].stderr().slice(-300)})`,
                );
              samples.push({ model, protocol, server, connections: c, round, ...result, backgroundBusy });
            }
          }
        }
      }
    } finally {
      for (const server of Object.values(running)) await server.stop();
    }
  }

  const servers = [];
  for (const model of models) {
    for (const protocol of protocols) {
      for (const server of SERVERS) {
        for (const connections of connectionsOf(model)) {
          const runs = samples.filter(
            (s) =>
              s.model === model &&
              s.protocol === protocol &&
              s.server === server &&
              s.connections === connections,
          );
          const point = { model, protocol, server, connections, runs: runs.length };
          for (const key of ["rowsPerSec", "p50Ms", "p90Ms", "p99Ms", "errors"])
            point[key] = median(runs.map((s) => s[key]));
          servers.push(point);
        }
      }
    }
  }
  const ratios = [];
  for (const model of models) {
    for (const protocol of protocols) {
      for (const connections of connectionsOf(model)) {
        const { naive, onnxfleet: fleet, bare } = serversAt({ servers }, model, protocol, connections);
        // The ratio of each round (both servers measured back to back), then their median.
        const pairedRatio = (over) =>
          median(
            Array.from({ length: repeat }, (_, round) => {
              const at = (server) =>
                samples.find(
                  (s) =>
                    s.model === model &&
                    s.protocol === protocol &&
                    s.connections === connections &&
                    s.round === round &&
                    s.server === server,
                ).rowsPerSec;
              return at("onnxfleet") / at(over);
            }),
          );
        ratios.push({
          model,
          protocol,
          connections,
          onnxfleetOverNaive: pairedRatio("naive"),
          onnxfleetOverLimit: fleet.rowsPerSec / inProcess[model].limitRowsPerSec,
          onnxfleetP99OverP50: fleet.p99Ms / fleet.p50Ms,
          p50DeltaMs: fleet.p50Ms - naive.p50Ms,
          ...(bare ? { onnxfleetOverBare: pairedRatio("bare") } : {}),
        });
      }
    }
  }
  const result = {
    date: started.toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      node: process.version,
      onnxruntimeNode: JSON.parse(
        readFileSync(join(ROOT, "node_modules/onnxruntime-node/package.json"), "utf8"),
      ).version,
      loadAverageAtStart: loadavg(),
    },
    settings: {
      secondsPerPoint: seconds,
      repeat,
      quick: args.quick,
      serverArgs,
      protocols,
      servers: SERVERS,
      loadGenerator: "wrk -t1",
      onnxfleetNodeOptions: imageNodeOptions() ?? "",
    },
    models: Object.fromEntries(models.map((m) => [m, BENCH_MODELS[m]])),
    inProcess,
    servers,
    ratios,
    targets: checkTargets(ratios),
    samples,
  };
  printReport(result);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(args.out, "latest.svg"), plotSvg(result));
  writeFileSync(join(args.out, "latest.md"), markdownReport(result));
  log(`wrote ${join(args.out, "latest.json")}, latest.svg and latest.md`);
}

/** The request body files of `written` (one model) for `protocol`, as {@link runLoad} options. */
function bodyOf(written, protocol) {
  return protocol === "binary"
    ? { bodyFile: written.binaryBodyFile, headerLength: written.binaryHeaderLength }
    : { bodyFile: written.bodyFile };
}

/**
 * The issue's targets, per protocol, each with the measured value and whether it is met (skipped when not
 * measured).
 */
function checkTargets(ratios) {
  return protocols.flatMap((protocol) =>
    checkProtocolTargets(ratios.filter((r) => r.protocol === protocol)).map((t) => ({
      ...t,
      protocol,
      target: `${protocol}: ${t.target}`,
    })),
  );
}

function checkProtocolTargets(ratios) {
  const ratio = (model, c) => ratios.find((r) => r.model === model && r.connections === c);
  const targets = [];
  const wide32 = ratio("wide", 32);
  if (wide32) {
    targets.push({
      target: "wide @32: onnxfleet/naive >= 8",
      value: wide32.onnxfleetOverNaive,
      met: wide32.onnxfleetOverNaive >= 8,
    });
    targets.push({
      target: "wide @32: onnxfleet/limit >= 0.6",
      value: wide32.onnxfleetOverLimit,
      met: wide32.onnxfleetOverLimit >= 0.6,
    });
    targets.push({
      target: "wide @32: p99/p50 <= 4",
      value: wide32.onnxfleetP99OverP50,
      met: wide32.onnxfleetP99OverP50 <= 4,
    });
  }
  const tiny64 = ratio("tiny", 64);
  if (tiny64) {
    targets.push({
      target: "tiny @64: onnxfleet/naive >= 1.2",
      value: tiny64.onnxfleetOverNaive,
      met: tiny64.onnxfleetOverNaive >= 1.2,
    });
  }
  // Nothing to batch at one connection: onnxfleet-server at its default settings should cost (almost)
  // nothing over the plain server (issue 17).
  for (const model of ["tiny", "wide"]) {
    const one = ratio(model, 1);
    if (one) {
      targets.push({
        target: `${model} @1: onnxfleet/naive >= 0.95`,
        value: one.onnxfleetOverNaive,
        met: one.onnxfleetOverNaive >= 0.95,
      });
    }
  }
  const tiny1 = ratio("tiny", 1);
  if (tiny1) {
    targets.push({
      target: "tiny @1: p50 - naive p50 <= 0.1 ms",
      value: tiny1.p50DeltaMs,
      met: tiny1.p50DeltaMs <= 0.1,
    });
  }
  return targets;
}

/** The naive, onnxfleet and (when measured) bare measurements of `model` over `protocol` at `connections`. */
function serversAt(result, model, protocol, connections) {
  const at = (server) =>
    result.servers.find(
      (p) =>
        p.model === model && p.protocol === protocol && p.server === server && p.connections === connections,
    );
  return { naive: at("naive"), onnxfleet: at("onnxfleet"), bare: at("bare") };
}

function printReport(result) {
  const out = (line = "") => process.stdout.write(`${line}\n`);
  const num = (v, digits = 0) =>
    v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  out(
    `\nonnxfleet bench, ${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), node ${result.machine.node}, onnxruntime-node ${result.machine.onnxruntimeNode}`,
  );
  out(
    `${result.settings.secondsPerPoint} s per point, ${result.settings.repeat} run(s) per point (medians), load: wrk -t1\n` +
      `onnxfleet-server runs with the image's NODE_OPTIONS (${result.settings.onnxfleetNodeOptions || "none"})\n`,
  );
  for (const model of Object.keys(result.inProcess)) {
    const { batches, limitRowsPerSec } = result.inProcess[model];
    out(
      `${model} (MLP ${result.models[model].join("-")}): in-process rows/s by batch size (best of spinning on/off):`,
    );
    out(
      `  ${batches.map((b) => `${b.batch}: ${num(b.rowsPerSec)}`).join(", ")}; limit ${num(limitRowsPerSec)}`,
    );
    for (const protocol of result.settings.protocols) {
      out(
        `  ${protocol.padEnd(6)} conns | naive rows/s   p50 ms   p90 ms   p99 ms | onnxfleet rows/s   p50 ms   p90 ms   p99 ms | x naive | of limit`,
      );
      for (const ratio of result.ratios.filter((r) => r.model === model && r.protocol === protocol)) {
        const { naive: n, onnxfleet: f } = serversAt(result, model, protocol, ratio.connections);
        const cols = (p, w) =>
          `${num(p.rowsPerSec).padStart(w)} ${num(p.p50Ms, 2).padStart(8)} ${num(p.p90Ms, 2).padStart(8)} ${num(p.p99Ms, 2).padStart(8)}`;
        out(
          `         ${String(ratio.connections).padStart(5)} | ${cols(n, 12)} | ${cols(f, 16)} | ${num(ratio.onnxfleetOverNaive, 2).padStart(7)} | ${`${num(ratio.onnxfleetOverLimit * 100)} %`.padStart(8)}`,
        );
      }
      if (!result.settings.servers.includes("bare")) continue;
      out(`  ${protocol.padEnd(6)} conns |  bare rows/s   p50 ms   p90 ms   p99 ms | onnxfleet / bare`);
      for (const ratio of result.ratios.filter((r) => r.model === model && r.protocol === protocol)) {
        const { bare: b } = serversAt(result, model, protocol, ratio.connections);
        out(
          `         ${String(ratio.connections).padStart(5)} | ${num(b.rowsPerSec).padStart(12)} ${num(b.p50Ms, 2).padStart(8)} ${num(b.p90Ms, 2).padStart(8)} ${num(b.p99Ms, 2).padStart(8)} | ${num(ratio.onnxfleetOverBare, 2).padStart(16)}`,
        );
      }
    }
    out();
  }
  for (const t of result.targets) out(`${t.met ? "MET    " : "NOT MET"}  ${t.target}: ${num(t.value, 2)}`);
}

/** The results as Markdown tables (for docs/benchmark.md). */
function markdownReport(result) {
  const num = (v, digits = 0) =>
    v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const lines = [
    `${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), node ${result.machine.node}, ` +
      `onnxruntime-node ${result.machine.onnxruntimeNode}; ${result.settings.secondsPerPoint} s per point, ` +
      `medians of ${result.settings.repeat} run(s); one-row requests (${result.settings.protocols.map((p) => PROTOCOL_NAMES[p]).join("; ")}), wrk -t1 on the same machine; ` +
      `onnxfleet-server with the image's NODE_OPTIONS (${result.settings.onnxfleetNodeOptions || "none"}).`,
    "",
  ];
  for (const model of Object.keys(result.inProcess)) {
    const { batches, limitRowsPerSec } = result.inProcess[model];
    lines.push(
      `**${model}** (MLP ${result.models[model].join("-")}), in process: ` +
        `${batches.map((b) => `${num(b.rowsPerSec)} rows/s at batch ${b.batch}`).join(", ")}; ` +
        `limit ${num(limitRowsPerSec)} rows/s.`,
      "",
      "| protocol | connections | naive rows/s | naive p50 / p90 / p99 ms | onnxfleet rows/s | onnxfleet p50 / p90 / p99 ms | onnxfleet / naive | onnxfleet / limit |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const ratio of result.ratios.filter((r) => r.model === model)) {
      const { naive: n, onnxfleet: f } = serversAt(result, model, ratio.protocol, ratio.connections);
      const lat = (p) => `${num(p.p50Ms, 2)} / ${num(p.p90Ms, 2)} / ${num(p.p99Ms, 2)}`;
      lines.push(
        `| ${ratio.protocol} | ${ratio.connections} | ${num(n.rowsPerSec)} | ${lat(n)} | ${num(f.rowsPerSec)} | ${lat(f)} | ` +
          `${num(ratio.onnxfleetOverNaive, 2)}x | ${num(ratio.onnxfleetOverLimit * 100)} % |`,
      );
    }
    lines.push("");
    if (result.settings.servers.includes("bare")) {
      lines.push(
        "The bare batching server (reference, `bench/bare-batching-server.mjs`), same points:",
        "",
        "| protocol | connections | bare rows/s | bare p50 / p90 / p99 ms | onnxfleet / bare |",
        "|---|---:|---:|---:|---:|",
      );
      for (const ratio of result.ratios.filter((r) => r.model === model)) {
        const { bare: b } = serversAt(result, model, ratio.protocol, ratio.connections);
        lines.push(
          `| ${ratio.protocol} | ${ratio.connections} | ${num(b.rowsPerSec)} | ${num(b.p50Ms, 2)} / ${num(b.p90Ms, 2)} / ${num(b.p99Ms, 2)} | ${num(ratio.onnxfleetOverBare, 2)}x |`,
        );
      }
      lines.push("");
    }
  }
  lines.push("| target | measured | met |", "|---|---:|---|");
  for (const t of result.targets)
    lines.push(`| ${t.target} | ${num(t.value, 2)} | ${t.met ? "yes" : "no"} |`);
  return `${lines.join("\n")}\n`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
