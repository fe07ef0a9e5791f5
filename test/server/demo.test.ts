/**
 * The quick start of docs/development.md and docs/server.md, for real: `node scripts/start-demo.mjs` (what
 * `npm start` runs after building) over the built server in dist/, then the curl line it prints, then
 * SIGTERM. Needs `npm run build` first (`npm test` and `npm start` run it).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const built = existsSync(`${root}/dist/server/main.js`);

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        child.stdout?.off("data", onData);
        resolve(line);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`start-demo exited (${code}) before printing: ${output}`)));
  });
}

describe("npm start (scripts/start-demo.mjs)", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("prints a curl line that returns a prediction, and exits 0 on SIGTERM", async () => {
    // Runs the built server: fails (never skips) when dist/ is missing; `npm test` builds first.
    if (!built) throw new Error("dist/server/main.js is missing: run `npm run build` first");
    const child = spawn(process.execPath, ["scripts/start-demo.mjs"], {
      cwd: root,
      env: { ...process.env, ONNXFLEET_HTTP_PORT: "0", ONNXFLEET_HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const curlLine = await waitForLine(child, /^curl /);
    expect(curlLine).toMatch(/^curl -s -X POST http:\/\/localhost:\d+\/v2\/models\/demo\/infer /);
    // Run the printed line as a user would paste it (localhost resolves to the 127.0.0.1 listener).
    const { stdout } = await promisify(execFile)("sh", ["-c", curlLine]);
    const response = JSON.parse(stdout);
    expect(response).toMatchObject({ model_name: "demo", model_version: "1" });
    expect(response.outputs[0]).toMatchObject({ name: "output", datatype: "FP32", shape: [2, 3] });
    expect(response.outputs[0].data).toHaveLength(6);
    for (const value of response.outputs[0].data) expect(Number.isFinite(value)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
