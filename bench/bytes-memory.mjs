// Memory one BYTES request costs the server (#17 item 3). Starts the built onnxfleet-server on a model that
// echoes a BYTES tensor (shape [1, n]), sends one request of `count` short distinct strings (V2 JSON or the
// binary tensor extension), and prints the server's peak resident memory (VmHWM) before and after, and the
// status and time of the answer. One JSON line per run.
//
// Usage: node bench/bytes-memory.mjs <count> <json|binary> [extra server flags...]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [countText, encoding = "json", ...flags] = process.argv.slice(2);
const count = Number(countText);
const { identityModel } = createRequire(import.meta.url)("../dist/server/testing/onnx-builder.js");
const model = identityModel("BYTES", [1, "n"]);
const root = mkdtempSync(join(tmpdir(), "onnxfleet-bytes-memory-"));
mkdirSync(join(root, "echo", "1"), { recursive: true });
writeFileSync(join(root, "echo", "1", "model.onnx"), model);

const bin = new URL("../bin/onnxfleet-server.cjs", import.meta.url).pathname;
const server = spawn(
  process.execPath,
  [
    bin,
    "--model-repository",
    root,
    "--http-port",
    "0",
    "--host",
    "127.0.0.1",
    "--log-level",
    "info",
    ...flags,
  ],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
let log = "";
server.stdout.on("data", (chunk) => {
  log += chunk;
});
const exited = new Promise((resolve) => server.on("exit", (code, signal) => resolve({ code, signal })));
while (!/"msg":"models loaded and warmed up; ready"/.test(log)) {
  if (server.exitCode !== null) throw new Error(`server exited: ${log}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const url = /"url":"(http:[^"]+)"/.exec(log)[1];
const peakMiB = () => {
  try {
    const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
  } catch {
    return undefined;
  }
};

const strings = Array.from({ length: count }, (_, i) => i.toString(36).padStart(4, "0"));
let body;
let headers;
if (encoding === "binary") {
  const chunks = strings.map((text) => {
    const bytes = Buffer.from(text);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(bytes.length);
    return Buffer.concat([prefix, bytes]);
  });
  const data = Buffer.concat(chunks);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: "input",
          datatype: "BYTES",
          shape: [1, count],
          parameters: { binary_data_size: data.length },
        },
      ],
      parameters: { binary_data_output: true },
    }),
  );
  body = Buffer.concat([header, data]);
  headers = {
    "content-type": "application/octet-stream",
    "inference-header-content-length": String(header.length),
  };
} else {
  body = JSON.stringify({ inputs: [{ name: "input", datatype: "BYTES", shape: [1, count], data: strings }] });
  headers = { "content-type": "application/json" };
}
const before = peakMiB();
const started = performance.now();
let status;
let answerBytes = 0;
try {
  const response = await fetch(`${url}/v2/models/echo/infer`, { method: "POST", headers, body });
  status = response.status;
  answerBytes = (await response.arrayBuffer()).byteLength;
} catch (error) {
  status = `no answer (${error.cause?.code ?? error.message})`;
}
const seconds = (performance.now() - started) / 1000;
const after = peakMiB();
const live = await fetch(`${url}/v2/health/live`).then(
  (r) => r.status,
  () => "down",
);
server.kill("SIGKILL");
const exit = await exited;
rmSync(root, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ count, encoding, bodyMiB: +(body.length / 2 ** 20).toFixed(2), status, seconds: +seconds.toFixed(2), answerMiB: +(answerBytes / 2 ** 20).toFixed(2), peakMiBBefore: before && +before.toFixed(0), peakMiBAfter: after && +after.toFixed(0), liveAfter: live, exit: exit.signal === "SIGKILL" ? "running until killed" : exit })}\n`,
);
