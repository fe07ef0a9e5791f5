/** The server over a real socket: start() from flags, HTTP on loopback, graceful close. */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { mlp } from "../../server/testing/onnx-builder";
import { writeRepository } from "./helpers";

describe("onnxfleet-server over a real socket", () => {
  let server: RunningServer;
  let root: string;
  beforeAll(async () => {
    root = writeRepository({ mlp: { versions: { 1: mlp([3, 5, 2]) } } });
    server = await start(
      ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
      {},
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("is ready once start() resolves and answers inference over HTTP", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    const response = await fetch(`${server.url}/v2/models/mlp/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [{ name: "input", datatype: "FP32", shape: [4, 3], data: new Array(12).fill(0.5) }],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { outputs: { shape: number[]; data: number[] }[] };
    expect(body.outputs[0]!.shape).toEqual([4, 2]);
    // Identical rows in, identical rows out.
    expect(body.outputs[0]!.data.slice(0, 2)).toEqual(body.outputs[0]!.data.slice(6, 8));
  });

  it("a body over the limit gets 413 JSON over the socket, and the server keeps serving", async () => {
    const huge = JSON.stringify({
      inputs: [{ name: "input", datatype: "FP32", shape: [1, 3], data: "x".repeat(70 * 1024 * 1024) }],
    });
    const response = await fetch(`${server.url}/v2/models/mlp/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect(Object.keys((await response.json()) as object)).toEqual(["error"]);
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
  });

  it("start() refuses a bad repository before listening, with the repository's message", async () => {
    await expect(
      start(["--model-repository", "/nonexistent/models", "--http-port", "0"], {}),
    ).rejects.toThrow("model repository /nonexistent/models is not a directory");
  });

  it("close() stops the listener", async () => {
    const other = await start(
      ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
      {},
    );
    await other.close();
    await expect(fetch(`${other.url}/v2/health/live`)).rejects.toThrow();
  });
});
