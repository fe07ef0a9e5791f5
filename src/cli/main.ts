/**
 * The `onnxfleet` command line: `onnxfleet render FILE` and `onnxfleet plan FILE`. `bin/onnxfleet.cjs`
 * calls {@link main} and exits with the code it resolves to (`onnxfleet profile` runs the server, so the bin
 * script hands it to the server side: `server/profile/`).
 */
import { readFile } from "node:fs/promises";
import { topologyReport } from "../capacity/topology-report";
import { ERROR_CODES, OnnxfleetError } from "../errors";
import {
  parseTopology,
  planTopology,
  renderKubernetesObjects,
  requirementsHeader,
  type TopologyFile,
} from "../render";
import { formatRequirements, topologyRequirements } from "../topology-requirements";
import { formatTopologyReport } from "./plan";
import { formatProblemLines, problemLines } from "./problem-lines";
import { resolveProfilePaths, topologyBaseDir } from "./topology-input";

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads a file as UTF-8; `-` is standard input. */
  readonly readText: (path: string) => Promise<string>;
}

/** Exit codes: 0 success, 1 invalid input (file, props, references), 2 wrong usage. */
export const EXIT_CODES = { ok: 0, invalidInput: 1, usage: 2 } as const;

const USAGE = `Usage: onnxfleet <command> [options]

Commands:
  render FILE   Plan the topology FILE (YAML or JSON; "-" reads standard input) and print its
                Kubernetes objects as multi-document YAML. What it cannot create (cloud resources
                with their planned properties, namespace labels, ordering) goes to stderr and to
                the output's header comment. Every problem of the file is listed with its code.
  plan FILE     Print the topology's capacity: per endpoint replicas, GPUs, nodes and hourly cost
                at min and max; per failover the N+1 verdict and failover time (docs/capacity.md).
  profile MODEL.onnx | --model-repository DIR --model NAME
                Measure the model in onnxfleet-server over loopback HTTP and write profile.json
                (\`onnxfleet profile --help\`).

Options:
  -h, --help    Show this help.
`;

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readText: (path) => (path === "-" ? readStdin() : readFile(path, "utf8")),
};

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (command === "render")
    return topologyCommand("render", rest, io, (topology) => {
      const plan = planTopology(topology);
      const requirements = topologyRequirements(topology, plan);
      // What the file cannot create goes to stderr too, so it is seen when stdout goes to a file.
      const lines = formatRequirements(requirements);
      if (lines.length > 0) io.stderr(`onnxfleet render: ${lines.join("\n")}\n`);
      return requirementsHeader(requirements) + renderKubernetesObjects(plan.kubernetesObjects);
    });
  if (command === "plan")
    return topologyCommand("plan", rest, io, (topology) =>
      formatTopologyReport(topologyReport(topology, planTopology(topology))),
    );
  io.stderr(`onnxfleet: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return EXIT_CODES.usage;
}

async function topologyCommand(
  name: string,
  args: readonly string[],
  io: CliIo,
  action: (topology: TopologyFile) => string,
): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout(USAGE);
    return EXIT_CODES.ok;
  }
  const unknownOption = args.find((arg) => arg.startsWith("-") && arg !== "-");
  if (unknownOption !== undefined || args.length !== 1) {
    io.stderr(
      `onnxfleet ${name}: ${unknownOption ? `unknown option ${unknownOption}` : "expects exactly one FILE"}\n\n${USAGE}`,
    );
    return EXIT_CODES.usage;
  }
  const file = args[0]!;
  const source = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = await io.readText(file);
  } catch (error) {
    io.stderr(`onnxfleet ${name}: cannot read ${file}: ${(error as Error).message}\n`);
    return EXIT_CODES.invalidInput;
  }
  try {
    io.stdout(action(resolveProfilePaths(parseTopology(text, source), topologyBaseDir(file))));
    return EXIT_CODES.ok;
  } catch (error) {
    if (!(error instanceof OnnxfleetError)) throw error;
    // Every problem of the file, each with its code (a file that cannot be read as a topology has one).
    const where = error.code === ERROR_CODES.INVALID_TOPOLOGY_FILE ? "" : `${source}: `;
    io.stderr(`onnxfleet ${name}: ${where}${formatProblemLines(problemLines(error))}`);
    return EXIT_CODES.invalidInput;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
