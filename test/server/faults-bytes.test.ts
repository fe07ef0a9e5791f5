/**
 * Issue #17 item 3: BYTES tensors are held compactly (one buffer of bytes and one of offsets, whatever the
 * element count) and a request with more BYTES elements than `--max-bytes-elements` is refused with 413
 * before it is queued, over a real socket.
 */
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { decodeBinaryData } from "../../server/protocol/binary";
import { decodeJsonData } from "../../server/protocol/json-data";
import { type BytesData, stringsOfBytes } from "../../server/tensor";
import { identityModel } from "../../server/testing/onnx-builder";
import { lengthPrefixed, writeRepository } from "./helpers";

const running: { server: RunningServer; root: string }[] = [];
afterEach(async () => {
  for (const { server, root } of running.splice(0)) {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

describe("BYTES tensors in memory", () => {
  const texts = Array.from({ length: 100_000 }, (_, i) => `t${i}`);
  const payload = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);

  it.each([
    ["the binary extension", () => decodeBinaryData("x", "BYTES", [1, texts.length], lengthPrefixed(texts))],
    ["JSON", () => decodeJsonData("x", "BYTES", [1, texts.length], texts)],
  ])(
    "from %s: two buffers holding the element bytes and one offset each, not an object per element",
    (_how, decode) => {
      const data = decode() as BytesData;
      expect(data.bytes).toBeInstanceOf(Uint8Array);
      expect(data.bytes.byteLength).toBe(payload);
      expect(data.offsets).toBeInstanceOf(Uint32Array);
      expect(data.offsets.length).toBe(texts.length + 1);
      expect(stringsOfBytes(data)).toEqual(texts);
    },
  );
});

describe("--max-bytes-elements", () => {
  it("refuses a request with more BYTES elements with 413 JSON before running it, and serves one at the limit", async () => {
    const root = writeRepository({ echo: { versions: { 1: identityModel("BYTES", [1, "n"]) } } });
    const server = await start(
      [
        ...["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
        ...["--max-bytes-elements", "1000"],
      ],
      {},
    );
    running.push({ server, root });
    const post = (count: number) =>
      fetch(`${server.url}/v2/models/echo/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [
            { name: "input", datatype: "BYTES", shape: [1, count], data: new Array(count).fill("ab") },
          ],
        }),
      });
    const refused = await post(1001);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      error:
        'model "echo" version 1: the request carries 1001 BYTES elements, more than the 1000 one request may ' +
        "(--max-bytes-elements); split it into smaller requests",
    });
    const served = await post(1000);
    expect(served.status).toBe(200);
    const body = (await served.json()) as { outputs: { data: string[] }[] };
    expect(body.outputs[0]!.data).toHaveLength(1000);
    expect(body.outputs[0]!.data[999]).toBe("ab");
  });
});
