/**
 * Failed runs answer as KServe's errors.py maps them (issue 17, item 10): a failure while running the
 * model is 500, onnxruntime's checks of the client's inputs are 400, and no answer carries onnxruntime's
 * source paths or the model repository's absolute path; an unreadable model file says "permission
 * denied". Real server, real sockets, real onnxruntime.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { runFailure, sanitizeRunMessage } from "../../server/protocol/run-errors";
import { unreadableModel } from "../../server/repository/external-data";
import { addModel, mlp } from "../../server/testing/onnx-builder";

/** The unprivileged user and group (`nobody`/`nogroup`) the permission test runs as when the suite runs as root. */
const NOBODY = 65534;

const ORT_BROADCAST_FAILURE =
  "Non-zero status code returned while running Add node. Name:'add_0' Status Message: " +
  "/onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:563 void " +
  "onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. " +
  "Attempting to broadcast an axis by a dimension other than 1. 2 by 3";

describe("runFailure", () => {
  it("drops onnxruntime's source file, line and C++ function, and the repository's directory", () => {
    expect(sanitizeRunMessage(ORT_BROADCAST_FAILURE)).toBe(
      "Non-zero status code returned while running Add node. Name:'add_0' Status Message: " +
        "axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3",
    );
    expect(
      sanitizeRunMessage("/srv/models/resnet/1/model.onnx: the worker thread exited (code 1)", [
        "/srv/models",
      ]),
    ).toBe("<model repository>/resnet/1/model.onnx: the worker thread exited (code 1)");
  });

  it("is 400 for onnxruntime's input checks and 500 for anything else", () => {
    const label = 'model "m" version 1';
    expect(
      runFailure(label, new Error("Unexpected input data type. Actual: (tensor(int32))")).statusCode,
    ).toBe(400);
    expect(runFailure(label, new Error(ORT_BROADCAST_FAILURE)).statusCode).toBe(500);
    expect(runFailure(label, new Error("the worker thread exited (code 134)")).statusCode).toBe(500);
  });
});

describe("a run that fails inside onnxruntime, over HTTP", () => {
  let root: string;
  let server: RunningServer;
  const logLines: string[] = [];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "onnxfleet-run-errors-"));
    mkdirSync(join(root, "add", "1"), { recursive: true });
    // Both inputs fully dynamic: the request passes the signature check, the Add kernel then fails.
    writeFileSync(join(root, "add", "1", "model.onnx"), addModel("FP32", ["a", "b"]));
    server = await start(
      ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--instance-thread", "main"],
      {},
      { logDestination: { write: (line: string) => void logLines.push(line) } },
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers 500 with onnxruntime's reason, without its source paths or the repository's path; logs it as a failure", async () => {
    // WHEN the inputs' shapes cannot be broadcast together
    const response = await fetch(`${server.url}/v2/models/add/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [
          { name: "a", datatype: "FP32", shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
          { name: "b", datatype: "FP32", shape: [2, 2], data: [1, 2, 3, 4] },
        ],
      }),
    });
    // THEN a server error, with the reason and nothing about the server's files
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: string };
    expect(error).toContain('model "add" version 1 failed while running');
    expect(error).toContain("Attempting to broadcast an axis by a dimension other than 1");
    expect(error).not.toMatch(/onnxruntime_src|\.h:\d+|onnxruntime::/);
    expect(error).not.toContain(root);
    const failures = logLines.map((line) => JSON.parse(line)).filter((r) => r.msg === "request failed");
    expect(failures).toEqual([expect.objectContaining({ level: 50, statusCode: 500 })]);
  });
});

describe("an unreadable model file", () => {
  it("is reported as 'permission denied' (the error node's fs gives for EACCES)", () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/m/1/model.onnx'"), {
      code: "EACCES",
    });
    const reported = unreadableModel("/m/1/model.onnx", error);
    expect(reported.message).toMatch(
      /^\/m\/1\/model\.onnx: permission denied: the server \(uid \d+\) cannot read/,
    );
    expect(
      unreadableModel("/m/1/model.onnx", Object.assign(new Error("EIO"), { code: "EIO" })).message,
    ).toContain("cannot read the model file (EIO)");
  });

  // Root reads any file whatever its mode: as root, the server's start runs with the effective user and group
  // of `nobody` (65534), restored after; the real user stays root, so seteuid(0) is allowed back.
  it("stops the server at start with 'permission denied', not 'not a valid ONNX model'", async () => {
    // GIVEN a repository whose model file nobody may read (its directories readable by all)
    const root = mkdtempSync(join(tmpdir(), "onnxfleet-permission-"));
    chmodSync(root, 0o755);
    mkdirSync(join(root, "m", "1"), { recursive: true, mode: 0o755 });
    const file = join(root, "m", "1", "model.onnx");
    writeFileSync(file, mlp([2, 3, 2]));
    chmodSync(file, 0o000);
    const asRoot = process.getuid?.() === 0;
    try {
      if (asRoot) {
        process.setegid?.(NOBODY);
        process.seteuid?.(NOBODY);
      }
      // WHEN the server starts on it THEN it refuses, naming the file and the cause
      await expect(
        start(
          ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
          {},
        ),
      ).rejects.toThrow(`${file}: permission denied`);
    } finally {
      if (asRoot) {
        process.seteuid?.(0);
        process.setegid?.(0);
      }
      rmSync(root, { recursive: true, force: true });
    }
  });
});
