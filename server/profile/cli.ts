/**
 * `onnxfleet profile`: measures a model in onnxfleet-server and writes profile.json, an SVG plot and a
 * summary (docs/capacity.md). `bin/onnxfleet.cjs` hands the `profile` command here: it runs the server,
 * which the core CLI (`src/cli`) must not depend on.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { countCpuList } from "./machine";
import { plotSvg, recommendation, summaryTable } from "./report";
import { tasksetAvailable } from "./server-process";
import { profileModel, type SweepOptions } from "./sweep";

/** Where the command writes; tests pass their own. */
export interface ProfileIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal: a progress bar is drawn there. */
  readonly isTty: boolean;
}

export const PROFILE_USAGE = `Usage: onnxfleet profile MODEL.onnx [options]
       onnxfleet profile --model-repository DIR --model NAME [options]

Runs the model in onnxfleet-server (its runtime and batcher, over HTTP on loopback). For each batching
setting it sends requests at fixed arrival rates (open loop) and finds the knee: the highest rate whose
p99 stays within the budget. Writes profile.json and an SVG plot of throughput against p99.

Options:
  --out FILE                 profile path (default profile.json)
  --plot FILE                SVG plot path (default: the profile path with .svg)
  --p99-ms N                 latency budget: the knee search's, and recommend the batching setting with the
                             most throughput within it (default budget: 10x each setting's lone-request latency)
  --batch-sizes LIST         --max-batch-size values, comma-separated (default 1,8)
  --queue-delays-ms LIST     queue delays for batch sizes above 1, in ms (default 1)
  --rates LIST               measure these arrival rates (req/s) instead of searching for the knee
  --refine-steps N           bisection steps of the knee search (default 3)
  --duration-seconds N       measured seconds per rate (default 1)
  --warmup-seconds N         unmeasured seconds before each point (default 0.25)
  --rows N                   rows per request along a dynamic first dimension (default 1)
  --intra-op-threads N       the server's --intra-op-threads (default 1)
  --instances N              the server's --instances (default 1)
  --execution-provider P     cpu or cuda (default cpu)
  --cpus LIST                pin the server to these CPUs with taskset -c, e.g. 0 or 0-3
  --instance-type TYPE       EC2 instance type of this machine, recorded for the constructs' check
  -h, --help                 show this help
`;

const OPTIONS = {
  "model-repository": { type: "string" },
  model: { type: "string" },
  out: { type: "string" },
  plot: { type: "string" },
  "p99-ms": { type: "string" },
  "batch-sizes": { type: "string" },
  "queue-delays-ms": { type: "string" },
  rates: { type: "string" },
  "refine-steps": { type: "string" },
  "duration-seconds": { type: "string" },
  "warmup-seconds": { type: "string" },
  rows: { type: "string" },
  "intra-op-threads": { type: "string" },
  instances: { type: "string" },
  "execution-provider": { type: "string" },
  cpus: { type: "string" },
  "instance-type": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

function number(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  integer: boolean,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value)))
    throw new UsageError(
      `--${name} (${JSON.stringify(text)}) must be ${integer ? "an integer" : "a number"} >= ${min}`,
    );
  return value;
}

function list(
  name: string,
  text: string | undefined,
  fallback: number[],
  min: number,
  integer: boolean,
): number[] {
  if (text === undefined) return fallback;
  return text.split(",").map((part) => number(name, part.trim(), Number.NaN, min, integer));
}

/** A model name the repository accepts, from a file name. */
export function modelNameOf(file: string): string {
  const name = basename(file)
    .replace(/\.onnx$/i, "")
    .replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z0-9]/.test(name) ? name : `m${name}`;
}

function progressBar(io: ProfileIo): SweepOptions["onProgress"] {
  if (!io.isTty) return undefined;
  return (done, total, label) => {
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    io.stderr(`\r\x1b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${label}`);
    if (label === "done") io.stderr("\n");
  };
}

/** Runs `onnxfleet profile` with `argv` (after the command) and resolves to the exit code. */
export async function main(argv: readonly string[], io: ProfileIo = processIo()): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`onnxfleet profile: ${(error as Error).message}\n\n${PROFILE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(PROFILE_USAGE);
    return 0;
  }
  let temporary: string | undefined;
  try {
    let repository: string;
    let model: string;
    if (positionals.length === 1 && values["model-repository"] === undefined && values.model === undefined) {
      const file = resolve(positionals[0]!);
      model = modelNameOf(file);
      temporary = mkdtempSync(join(tmpdir(), "onnxfleet-profile-"));
      mkdirSync(join(temporary, model, "1"), { recursive: true });
      copyFileSync(file, join(temporary, model, "1", "model.onnx"));
      repository = temporary;
    } else if (positionals.length === 0 && values["model-repository"] && values.model) {
      repository = resolve(values["model-repository"]);
      model = values.model;
    } else throw new UsageError("give MODEL.onnx, or --model-repository DIR with --model NAME (not both)");
    const executionProvider = values["execution-provider"] ?? "cpu";
    if (executionProvider !== "cpu" && executionProvider !== "cuda")
      throw new UsageError(`--execution-provider (${JSON.stringify(executionProvider)}) must be cpu or cuda`);
    if (values.cpus !== undefined) {
      if (countCpuList(values.cpus) === undefined)
        throw new UsageError(`--cpus (${JSON.stringify(values.cpus)}) must be a CPU list such as 0 or 0-3,6`);
      if (!tasksetAvailable())
        throw new UsageError("--cpus needs taskset (util-linux), which is not installed");
    }
    const p99Ms =
      values["p99-ms"] === undefined ? undefined : number("p99-ms", values["p99-ms"], 0, 0.001, false);
    const out = resolve(values.out ?? "profile.json");
    const plot = resolve(values.plot ?? `${out.replace(/\.json$/i, "")}.svg`);
    const onProgress = progressBar(io);
    const profile = await profileModel({
      repository,
      model,
      batchSizes: list("batch-sizes", values["batch-sizes"], [1, 8], 1, true),
      queueDelaysMs: list("queue-delays-ms", values["queue-delays-ms"], [1], 0, false),
      ...(values.rates !== undefined ? { rates: list("rates", values.rates, [], 0.001, false) } : {}),
      refineSteps: number("refine-steps", values["refine-steps"], 3, 0, true),
      ...(p99Ms !== undefined ? { p99BudgetMs: p99Ms } : {}),
      durationSeconds: number("duration-seconds", values["duration-seconds"], 1, 0.1, false),
      warmupSeconds: number("warmup-seconds", values["warmup-seconds"], 0.25, 0, false),
      rows: number("rows", values.rows, 1, 1, true),
      intraOpThreads: number("intra-op-threads", values["intra-op-threads"], 1, 0, true),
      instances: number("instances", values.instances, 1, 1, true),
      executionProvider,
      ...(values.cpus !== undefined ? { cpus: values.cpus } : {}),
      ...(values["instance-type"] !== undefined ? { instanceType: values["instance-type"] } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    writeFileSync(out, `${JSON.stringify(profile, null, 2)}\n`);
    writeFileSync(plot, plotSvg(profile, p99Ms));
    io.stdout(summaryTable(profile));
    if (p99Ms !== undefined) io.stdout(recommendation(profile, p99Ms));
    io.stdout(`Wrote ${out} and ${plot}\n`);
    return 0;
  } catch (error) {
    io.stderr(`onnxfleet profile: ${(error as Error).message}\n`);
    if (error instanceof UsageError) io.stderr(`\n${PROFILE_USAGE}`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

function processIo(): ProfileIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: process.stderr.isTTY === true,
  };
}
