/**
 * The `onnxfleet` command line: `onnxfleet render FILE`. `bin/onnxfleet.cjs` calls {@link main} and exits
 * with the code it resolves to.
 */
import { readFile } from "node:fs/promises";
import { ERROR_CODES, OnnxfleetError } from "../errors";
import { parseTopology, renderTopology } from "../render";

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
                Kubernetes objects as multi-document YAML.

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
  if (command === "render") return render(rest, io);
  io.stderr(`onnxfleet: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return EXIT_CODES.usage;
}

async function render(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout(USAGE);
    return EXIT_CODES.ok;
  }
  const unknownOption = args.find((arg) => arg.startsWith("-") && arg !== "-");
  if (unknownOption !== undefined || args.length !== 1) {
    io.stderr(
      `onnxfleet render: ${unknownOption ? `unknown option ${unknownOption}` : "expects exactly one FILE"}\n\n${USAGE}`,
    );
    return EXIT_CODES.usage;
  }
  const file = args[0]!;
  const source = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = await io.readText(file);
  } catch (error) {
    io.stderr(`onnxfleet render: cannot read ${file}: ${(error as Error).message}\n`);
    return EXIT_CODES.invalidInput;
  }
  try {
    io.stdout(renderTopology(parseTopology(text, source)));
    return EXIT_CODES.ok;
  } catch (error) {
    if (!(error instanceof OnnxfleetError)) throw error;
    const where = error.code === ERROR_CODES.INVALID_TOPOLOGY_FILE ? "" : `${source}: `;
    io.stderr(`onnxfleet render: ${where}${error.message}\n[${error.code}]\n`);
    return EXIT_CODES.invalidInput;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
