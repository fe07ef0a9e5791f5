/**
 * Connection limits over real sockets (issue 17, item 9): `--max-connections` caps open connections so a
 * flood cannot take every file descriptor, and idle keep-alive connections close after
 * `--keep-alive-timeout-seconds`, which stays below an AWS NLB's 350 s idle timeout
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html) by default.
 */
import { once } from "node:events";
import { rmSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { type RunningServer, start } from "../../server/main";
import { mlp } from "../../server/testing/onnx-builder";
import { writeRepository } from "./helpers";

let root: string;
beforeAll(() => {
  root = writeRepository({ small: { versions: { 1: mlp([4, 8, 3]) } } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function serve(flags: string[]): Promise<RunningServer> {
  return start(
    [
      "--model-repository",
      root,
      "--http-port",
      "0",
      "--host",
      "127.0.0.1",
      "--log-level",
      "silent",
      ...flags,
    ],
    {},
  );
}

/** Opens a raw connection; resolves once connected. */
async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

/** Sends one keep-alive GET on `socket` and resolves with the status line. */
async function get(socket: net.Socket, path = "/v2/health/live"): Promise<string> {
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  const [chunk] = (await once(socket, "data")) as [Buffer];
  return chunk.toString("latin1").split("\r\n")[0]!;
}

/** Resolves true when the server closes `socket` within `ms`, false otherwise. */
function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe("connection limits", () => {
  it("the defaults: keep-alive 120 s (under the NLB's 350 s, well above zero), at most 4096 connections", () => {
    const config = loadConfig(["--model-repository", "/m"]);
    expect(config.keepAliveTimeoutSeconds).toBe(120);
    expect(config.keepAliveTimeoutSeconds).toBeLessThan(350);
    expect(config.maxConnections).toBe(4096);
  });

  it("--max-connections 3: a fourth connection is closed at once; once one of the three ends, new ones are served", async () => {
    // GIVEN a server capped at 3 connections, all three held by idle clients
    const server = await serve(["--max-connections", "3"]);
    const port = Number(new URL(server.url).port);
    const held = [await connect(port), await connect(port), await connect(port)];
    for (const socket of held) expect(await get(socket)).toBe("HTTP/1.1 200 OK");
    try {
      // WHEN a fourth client connects
      const extra = await connect(port);
      // THEN it is closed without being served
      expect(await closedWithin(extra, 2_000)).toBe(true);

      // WHEN one held connection ends
      held[0]!.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // THEN a new client is served
      const next = await connect(port);
      expect(await get(next)).toBe("HTTP/1.1 200 OK");
      next.destroy();
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });

  it("--keep-alive-timeout-seconds 2: an idle keep-alive connection is reusable at 1 s and closed by 3 s", async () => {
    const server = await serve(["--keep-alive-timeout-seconds", "2", "--headers-timeout-seconds", "1"]);
    const port = Number(new URL(server.url).port);
    try {
      // GIVEN a keep-alive connection that has served one request
      const socket = await connect(port);
      expect(await get(socket)).toBe("HTTP/1.1 200 OK");
      // WHEN it idles 1 s (past the 1 s headers timeout, within the keep-alive timeout) THEN it is reused
      expect(await closedWithin(socket, 1_000)).toBe(false);
      expect(await get(socket)).toBe("HTTP/1.1 200 OK");
      // WHEN it then idles THEN the server closes it after about 2 s, not before 1.5 s
      const idleSince = performance.now();
      expect(await closedWithin(socket, 4_000)).toBe(true);
      expect(performance.now() - idleSince).toBeGreaterThan(1_500);
    } finally {
      await server.close();
    }
  });
});
