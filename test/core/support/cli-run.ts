/**
 * Runs the `onnxfleet` CLI's `main` with captured output: `files` are read by name (a path not in it is read
 * from the repository), as the real binary would read them.
 */
import { readFileSync } from "node:fs";
import { type CliIo, main } from "../../../src/cli/main";

const root = new URL("../../../", import.meta.url).pathname;

/** What one CLI run wrote and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], files: Record<string, string> = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readText: async (path) => files[path] ?? readFileSync(`${root}${path}`, "utf8"),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
