import { EventEmitter, once } from "node:events";
import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DrainController, exitOnShutdownSignal } from "../../../server/lifecycle";

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A real server on loopback; `hold` makes `/slow` wait until released. */
async function startServer(onSlowFinished: () => void = () => {}) {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let received: () => void = () => {};
  const slowReceived = new Promise<void>((resolve) => {
    received = resolve;
  });
  const server = http.createServer((request, response) => {
    if (request.url === "/slow") {
      received();
      response.once("finish", () => onSlowFinished());
      void held.then(() => response.end("slow done"));
    } else if (request.url === "/never") {
      received();
    } else {
      response.end("ok");
    }
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  return { server, port, release, slowReceived };
}

function get(port: number, path: string, agent: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, body }),
      );
    });
    request.on("error", reject);
  });
}

function connectError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
}

describe("DrainController", () => {
  it("turns unready at once, keeps serving with Connection: close during the delay, then refuses connections", async () => {
    // GIVEN a serving server with a keep-alive client
    const { server, port } = await startServer();
    const drain = new DrainController(server, { drainDelayMs: 1_000, shutdownTimeoutMs: 5_000 });
    const agent = new http.Agent({ keepAlive: true });
    expect(drain.ready).toBe(true);
    const before = await get(port, "/", agent);
    expect(before.connection).toBe("keep-alive");

    // WHEN the shutdown starts
    const exitCode = drain.shutdown("test");

    // THEN readiness fails immediately, and requests during the delay are served but told to close
    expect(drain.ready).toBe(false);
    expect(drain.phase).toBe("draining");
    const during = await get(port, "/", agent);
    expect(during).toEqual({ status: 200, connection: "close", body: "ok" });
    expect(await exitCode).toBe(0);
    expect(drain.phase).toBe("closed");
    expect(await connectError(port)).toBe("ECONNREFUSED");
    agent.destroy();
  });

  it("closes idle keep-alive sockets when the listener closes", async () => {
    // GIVEN a raw keep-alive connection that has finished one request and sits idle
    const { server, port } = await startServer();
    const drain = new DrainController(server, { drainDelayMs: 50, shutdownTimeoutMs: 5_000 });
    const socket = net.connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    const [first] = (await once(socket, "data")) as [Buffer];
    expect(first.toString()).toContain("HTTP/1.1 200");
    const closed = once(socket, "end");

    // WHEN the server drains
    const exitCode = await drain.shutdown();

    // THEN the server ended the idle socket and exited cleanly
    await closed;
    expect(exitCode).toBe(0);
    socket.destroy();
  });

  it("lets in-flight requests finish after the listener closed, then runs beforeExit and exits 0", async () => {
    // GIVEN a request the handler holds
    const events: string[] = [];
    const { server, port, release, slowReceived } = await startServer(() => events.push("slow answered"));
    const drain = new DrainController(server, {
      drainDelayMs: 20,
      shutdownTimeoutMs: 10_000,
      beforeExit: async () => {
        events.push("beforeExit");
      },
    });
    const agent = new http.Agent({ keepAlive: true });
    const slow = get(port, "/slow", agent);
    await slowReceived;
    expect(drain.inflightRequests).toBe(1);

    // WHEN the drain passes its delay and closes the listener while the request is still held
    const exitCode = drain.shutdown().then((code) => {
      events.push("exit");
      return code;
    });
    while (server.listening) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await connectError(port)).toBe("ECONNREFUSED");
    expect(events).toEqual([]);
    release();

    // THEN the held request completes with Connection: close, and only then does the process exit 0
    expect(await slow).toEqual({ status: 200, connection: "close", body: "slow done" });
    expect(drain.inflightRequests).toBe(0);
    expect(await exitCode).toBe(0);
    expect(events).toEqual(["slow answered", "beforeExit", "exit"]);
    agent.destroy();
  });

  it("cuts off requests still running at the hard deadline and exits 1", async () => {
    // GIVEN a request that never gets an answer
    const { server, port, slowReceived } = await startServer();
    const drain = new DrainController(server, { drainDelayMs: 10, shutdownTimeoutMs: 300 });
    const agent = new http.Agent({ keepAlive: true });
    const never = get(port, "/never", agent).then(
      () => "answered",
      (error: NodeJS.ErrnoException) => error.code,
    );
    await slowReceived;

    // WHEN the server drains THEN the deadline fires, the socket is cut and the exit code is 1
    expect(await drain.shutdown()).toBe(1);
    expect(await never).toBe("ECONNRESET");
    agent.destroy();
  });

  it("returns the same shutdown for repeated calls", async () => {
    const { server } = await startServer();
    const drain = new DrainController(server, { drainDelayMs: 10, shutdownTimeoutMs: 1_000 });
    const first = drain.shutdown();
    expect(drain.shutdown()).toBe(first);
    expect(await first).toBe(0);
  });

  it("rejects a deadline that leaves no time after the drain delay", () => {
    const server = http.createServer();
    expect(() => new DrainController(server, { drainDelayMs: 5_000, shutdownTimeoutMs: 5_000 })).toThrow(
      /shutdownTimeoutMs \(5000\) must be greater than drainDelayMs \(5000\)/,
    );
    expect(() => new DrainController(server, { drainDelayMs: -1 })).toThrow(/non-negative/);
  });
});

describe("exitOnShutdownSignal", () => {
  it("drains on the first SIGTERM, exits with the drain's code and ignores later signals", async () => {
    // GIVEN handlers installed on a stand-in process
    const { server } = await startServer();
    const drain = new DrainController(server, { drainDelayMs: 10, shutdownTimeoutMs: 1_000 });
    const target = new EventEmitter();
    const codes: number[] = [];
    const exited = new Promise<void>((resolve) => {
      exitOnShutdownSignal(drain, {
        target: target as unknown as NodeJS.Process,
        exit: (code) => {
          codes.push(code);
          resolve();
        },
      });
    });

    // WHEN SIGTERM arrives twice, then SIGINT
    target.emit("SIGTERM", "SIGTERM");
    target.emit("SIGTERM", "SIGTERM");
    target.emit("SIGINT", "SIGINT");
    await exited;

    // THEN exactly one drain ran and exited 0
    expect(codes).toEqual([0]);
    expect(drain.phase).toBe("closed");
  });
});
