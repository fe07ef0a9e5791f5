/**
 * Graceful drain of one HTTP server, so a rolling update loses no request:
 *
 * 1. `shutdown()` (on SIGTERM): the server turns unready at once (`/v2/health/ready` answers 503) and every
 *    response from now on carries `Connection: close`; requests keep being served.
 * 2. After the drain delay (load balancers have seen the failing readiness check and stopped sending new
 *    requests): the listener closes, idle keep-alive sockets are closed, busy ones close after their
 *    response.
 * 3. When the last connection has ended, `beforeExit` runs (close the app, flush batchers, release sessions)
 *    and shutdown resolves with exit code 0.
 *    Connections with no response in flight (idle keep-alive ones, and slow clients still sending a
 *    request's headers) are closed at once rather than waited for.
 * 4. If all that has not happened shortly before the hard deadline (counted from `shutdown()`), running
 *    work is terminated first (`terminateWork`: the worker threads inside onnxruntime, which
 *    `process.exit` would otherwise abort with SIGABRT), then the remaining sockets are destroyed, and
 *    shutdown resolves with exit code 1, all inside the deadline.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Where the server is in its life. */
export type LifecyclePhase = "serving" | "draining" | "closing" | "closed";

/** The log calls the drain makes (a pino or fastify logger fits). */
export interface DrainLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link DrainController}. */
export interface DrainOptions {
  /**
   * Time between turning unready and closing the listener, in milliseconds: long enough for load balancers
   * to see the failing readiness check (check interval x failure threshold) and stop routing to this server.
   * @default 5000
   */
  readonly drainDelayMs?: number;
  /**
   * Hard deadline from the start of the shutdown, in milliseconds: in-flight requests still running then are
   * cut off and the exit code is 1. Keep it under the orchestrator's grace period (Kubernetes: 30 s).
   * @default 25000
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * Runs after the last connection has ended, before shutdown resolves (close the app, release sessions).
   * Counted against the hard deadline.
   * @default - nothing
   */
  readonly beforeExit?: () => Promise<void>;
  /**
   * Runs at the hard deadline, before the remaining connections are destroyed: stop running work now
   * (terminate worker threads). Gets the time it may take, in milliseconds; shutdown resolves after that
   * time even if it has not finished.
   * @default - nothing
   */
  readonly terminateWork?: (timeoutMs: number) => Promise<unknown>;
  /** @default - no logging */
  readonly logger?: DrainLogger;
}

/** Default drain delay: 5 s. */
export const DEFAULT_DRAIN_DELAY_MS = 5_000;
/** Default hard shutdown deadline: 25 s, under Kubernetes' default 30 s termination grace period. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

const silentLogger: DrainLogger = { info() {}, warn() {}, error() {} };

/**
 * The part of the shutdown timeout kept for the hard stop (stop running work, destroy sockets, exit): at
 * most 2 s, and at most half the time left after the drain delay.
 */
function hardStopReserveMs(drainDelayMs: number, shutdownTimeoutMs: number): number {
  return Math.min(2_000, (shutdownTimeoutMs - drainDelayMs) / 2);
}

/** Of the reserve, the time kept for the process to exit after the hard stop (freeing sessions takes time). */
const EXIT_MARGIN_FRACTION = 0.5;

/** Drives the drain of one plain `http.Server` (not https); create it before the server starts listening. */
export class DrainController {
  private currentPhase: LifecyclePhase = "serving";
  /** Every open connection, each with the last response started on it (see {@link track}). */
  private readonly connections = new Set<Socket>();
  private shutdownPromise: Promise<number> | undefined;
  private readonly drainDelayMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly logger: DrainLogger;

  constructor(
    private readonly server: Server,
    private readonly options: DrainOptions = {},
  ) {
    this.drainDelayMs = options.drainDelayMs ?? DEFAULT_DRAIN_DELAY_MS;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger;
    checkTimings(this.drainDelayMs, this.shutdownTimeoutMs);
    // Connections are tracked once each, not per request: keep-alive clients send many requests on one.
    server.on("connection", (socket: Socket) => {
      this.connections.add(socket);
      socket.once("close", () => this.connections.delete(socket));
    });
    // Prepended so it runs before the app's own handler, which may answer synchronously (404s).
    server.prependListener("request", (request: IncomingMessage, response: ServerResponse) =>
      this.track(request, response),
    );
  }

  /** The current phase. */
  get phase(): LifecyclePhase {
    return this.currentPhase;
  }

  /** True while the server takes new work: what the readiness route reports. False from `shutdown()` on. */
  get ready(): boolean {
    return this.currentPhase === "serving";
  }

  /**
   * Requests received whose response has not been ended yet. It counts the latest request of each
   * connection, so HTTP pipelining (rare) can hide a request queued behind another.
   */
  get inflightRequests(): number {
    let count = 0;
    for (const socket of this.connections) {
      const response = lastResponseOf(socket);
      if (response !== undefined && !response.writableEnded) count++;
    }
    return count;
  }

  /**
   * Drains the server (see the module comment) and resolves with the process exit code: 0 when every
   * request finished in time, 1 when the hard deadline cut some off. Calling it again returns the same
   * promise. `skipDrainDelay` closes the listener at once (an interactive Ctrl-C: no load balancer to wait
   * for).
   */
  shutdown(
    reason = "shutdown requested",
    options: { readonly skipDrainDelay?: boolean } = {},
  ): Promise<number> {
    this.shutdownPromise ??= this.run(reason, options.skipDrainDelay ? 0 : this.drainDelayMs);
    return this.shutdownPromise;
  }

  /**
   * Per request, the least work that lets a drain reach the responses in flight: the response is noted on
   * its socket (one property store; no listener, closure or collection entry per request).
   */
  private track(request: IncomingMessage, response: ServerResponse): void {
    if (this.currentPhase !== "serving") response.setHeader("connection", "close");
    (request.socket as TrackedSocket)[LAST_RESPONSE] = response;
  }

  private async run(reason: string, drainDelayMs: number): Promise<number> {
    const startedAt = Date.now();
    this.currentPhase = "draining";
    for (const socket of this.connections) {
      const response = lastResponseOf(socket);
      if (response !== undefined && !response.headersSent) response.setHeader("connection", "close");
    }
    this.logger.info(
      {
        reason,
        drainDelayMs,
        shutdownTimeoutMs: this.shutdownTimeoutMs,
        inflightRequests: this.inflightRequests,
      },
      "draining: readiness now fails, still serving",
    );

    const reserveMs = hardStopReserveMs(drainDelayMs, this.shutdownTimeoutMs);
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      deadlineTimer = setTimeout(() => resolve("deadline"), this.shutdownTimeoutMs - reserveMs);
    });
    const orderly = async (): Promise<"done"> => {
      await delay(drainDelayMs);
      this.currentPhase = "closing";
      this.logger.info({ inflightRequests: this.inflightRequests }, "closing listener and idle connections");
      await this.closeListener();
      await this.options.beforeExit?.();
      return "done";
    };

    try {
      const outcome = await Promise.race([orderly(), deadline]);
      if (outcome === "deadline") {
        this.logger.error(
          { shutdownTimeoutMs: this.shutdownTimeoutMs, inflightRequests: this.inflightRequests },
          "shutdown deadline reached: terminating running work, closing remaining connections",
        );
        await this.hardStop(reserveMs);
        return 1;
      }
      this.logger.info({ durationMs: Date.now() - startedAt }, "drained");
      return 0;
    } catch (error) {
      this.logger.error({ err: error }, "shutdown failed");
      await this.hardStop(reserveMs);
      return 1;
    } finally {
      clearTimeout(deadlineTimer);
      this.currentPhase = "closed";
    }
  }

  /** Terminates running work (bounded by `reserveMs`, less a margin to exit in), then destroys every socket. */
  private async hardStop(reserveMs: number): Promise<void> {
    const timeoutMs = reserveMs * (1 - EXIT_MARGIN_FRACTION);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.options.terminateWork?.(timeoutMs).catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    for (const socket of this.connections) socket.destroy();
  }

  /**
   * Stops accepting connections and resolves once every open connection has ended. Connections with no
   * response in flight are closed now: idle keep-alive ones, and slow clients still sending a request
   * (the load balancers stopped sending new requests during the drain delay; the headers timeout would
   * otherwise hold the exit for up to its length).
   */
  private closeListener(): Promise<void> {
    return new Promise((resolve) => {
      if (this.server.listening) this.server.close(() => resolve());
      this.server.closeIdleConnections();
      for (const socket of this.connections) {
        const response = lastResponseOf(socket);
        if (response === undefined || response.writableFinished) socket.destroy();
      }
      // Never listened (or closed elsewhere): nothing to wait for but the connections it may hold.
      if (!this.server.listening) this.whenNoConnections().then(resolve);
    });
  }

  private async whenNoConnections(): Promise<void> {
    while (this.connections.size > 0) await delay(50);
  }
}

const LAST_RESPONSE = Symbol("onnxfleet.lastResponse");

type TrackedSocket = Socket & { [LAST_RESPONSE]?: ServerResponse };

/** The last response started on `socket`, if any. */
function lastResponseOf(socket: Socket): ServerResponse | undefined {
  return (socket as TrackedSocket)[LAST_RESPONSE];
}

function checkTimings(drainDelayMs: number, shutdownTimeoutMs: number): void {
  if (!Number.isFinite(drainDelayMs) || drainDelayMs < 0) {
    throw new RangeError(`drainDelayMs must be a non-negative number, got ${drainDelayMs}`);
  }
  if (!Number.isFinite(shutdownTimeoutMs) || shutdownTimeoutMs <= drainDelayMs) {
    throw new RangeError(
      `shutdownTimeoutMs (${shutdownTimeoutMs}) must be greater than drainDelayMs (${drainDelayMs}): ` +
        "in-flight requests need time to finish after the drain delay",
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
