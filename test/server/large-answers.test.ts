/**
 * Large answers: JSON answers of many elements are encoded slice by slice (probes are answered meanwhile)
 * and bounded by --max-response-bytes as text, not only as raw bytes; a client that stops reading a large
 * answer has its connection closed. Real server, real sockets, real onnxruntime (a `Range` model: a
 * 3-number request asks for an output of any size).
 */
import { once } from "node:events";
import { rmSync } from "node:fs";
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { type RunningServer, start } from "../../server/main";
import { LARGE_ANSWER_ELEMENTS } from "../../server/protocol/large-answers";
import { ModelRepository } from "../../server/repository/repository";
import { WATCHED_ANSWER_BYTES } from "../../server/slow-readers";
import { probeContinuously, rangeModel, writeRepository } from "./helpers";

const RANGE = rangeModel();

/** A request for y = [0, 1, ..., limit - 1]. */
function rangeBody(limit: number, binary = false): string {
  return JSON.stringify({
    inputs: [
      { name: "start", datatype: "FP32", shape: [], data: [0] },
      { name: "limit", datatype: "FP32", shape: [], data: [limit] },
      { name: "delta", datatype: "FP32", shape: [], data: [1] },
    ],
    ...(binary ? { parameters: { binary_data_output: true } } : {}),
  });
}

const running: { server: RunningServer; root: string }[] = [];
afterAll(async () => {
  for (const { server, root } of running) {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

async function rangeServer(extraArgs: readonly string[] = []): Promise<RunningServer> {
  const root = writeRepository({ range: { versions: { 1: RANGE } } });
  const server = await start(
    [
      ...["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
      ...extraArgs,
    ],
    {},
  );
  running.push({ server, root });
  return server;
}

const post = (server: RunningServer, body: string) =>
  fetch(`${server.url}/v2/models/range/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

describe("large JSON answers", () => {
  it("four answers of 4 million elements at once are each answered whole, and probes keep being answered", async () => {
    const server = await rangeServer();
    const elements = 4_000_000;
    const probes = probeContinuously(`${server.url}/v2/health/ready`, 20);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        post(server, rangeBody(elements)).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as { outputs: { shape: number[]; data: number[] }[] },
        })),
      ),
    );
    const slowestProbeMs = await probes.stop();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const [output] = answer.body.outputs;
      expect(output!.shape).toEqual([elements]);
      expect(output!.data.length).toBe(elements);
      // Slices join without a gap or a repeat.
      expect(output!.data.every((value, index) => value === index)).toBe(true);
    }
    // Encoded in one piece each, the four answers held the event loop for seconds at a time (a 16-million
    // element answer took about 2 s); in slices a probe waits for one slice, not an answer. Generous for a
    // loaded machine.
    console.log(`large answers: slowest probe ${slowestProbeMs.toFixed(0)} ms`);
    expect(slowestProbeMs).toBeLessThan(1_000);
  }, 120_000);

  it("--max-response-bytes bounds the JSON text too: 400 once it passes, on the small and the sliced path", async () => {
    const server = await rangeServer(["--max-response-bytes", String(1.5 * 1024 * 1024)]);
    const expectRefused = async (limit: number) => {
      const response = await post(server, rangeBody(limit));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe(
        'model "range" version 1: the JSON answer to this request passed the 1572864 bytes a response may ' +
          "carry (--max-response-bytes); ask for fewer outputs, or for binary data (the binary tensor extension)",
      );
    };
    // Small path: 4 raw bytes an element (1.05 MB) pass the raw check; the text (~1.8 MB) does not.
    await expectRefused(LARGE_ANSWER_ELEMENTS - 1);
    // Sliced path (1.4 MB raw, ~2.6 MB of text): stops as the text passes the bound.
    await expectRefused(350_000);
    // The same elements as binary data fit, and a smaller JSON answer is served.
    const binary = await post(server, rangeBody(350_000, true));
    expect(binary.status).toBe(200);
    expect((await binary.arrayBuffer()).byteLength).toBeGreaterThan(4 * 350_000);
    const small = await post(server, rangeBody(100_000));
    expect(small.status).toBe(200);
    expect(((await small.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data.length).toBe(100_000);
  }, 60_000);
});

describe("clients that stop reading a large answer", () => {
  it("have their connection closed once it stands still for the stall timeout; a reading client gets it all", async () => {
    const root = writeRepository({ range: { versions: { 1: RANGE } } });
    const repository = new ModelRepository({ root });
    await repository.load();
    const app = buildApp({ repository, stalledReaderTimeoutMs: 300 });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as net.AddressInfo;
    try {
      const elements = 2_000_000;
      const body = rangeBody(elements);
      // GIVEN the whole answer, as a client that reads gets it whatever the timeout
      const response = await fetch(`http://127.0.0.1:${port}/v2/models/range/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await response.text();
      expect(text.length).toBeGreaterThan(WATCHED_ANSWER_BYTES);
      expect((JSON.parse(text) as { outputs: { data: number[] }[] }).outputs[0]!.data.length).toBe(elements);

      // WHEN a client sends its request and then reads nothing for 2 s (its socket paused)
      const socket = net.connect(port, "127.0.0.1");
      await once(socket, "connect");
      socket.pause();
      socket.on("error", () => {});
      socket.write(
        `POST /v2/models/range/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      // AND reads again
      let received = 0;
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
      });
      const closed = once(socket, "close");
      socket.resume();
      // THEN it finds the connection closed, with what the socket buffers held and not the whole answer,
      // which a connection kept open would have delivered
      const timedOut = new Promise((resolve) => setTimeout(() => resolve("still open"), 10_000));
      expect(await Promise.race([closed.then(() => "closed"), timedOut])).toBe("closed");
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(Buffer.byteLength(text));
      socket.destroy();
    } finally {
      await app.close();
      await repository.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
