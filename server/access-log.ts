/**
 * Access logs that cost nothing on the hot path: a sampled share of requests gets an access line when its
 * response ends; every refused or failed request is logged from the error path, so errors never depend on
 * the sample. Refusals with 503 (queue full, shutting down, model not ready) come in bursts under
 * overload: the first of a burst is logged, the rest are counted into one summary line.
 *
 * Each line carries the request id (`reqId`, also in the `X-Request-Id` response header), so one request
 * can be followed from the load balancer's log to this server's.
 */
import type { ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";

/** What an access line says of a request: a fastify request, or the direct inference path's own. */
export interface LoggedRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
}

/** Options of {@link AccessLog}. */
export interface AccessLogOptions {
  /** Where the lines go. */
  readonly logger: FastifyBaseLogger;
  /**
   * Share of requests that get an access line, 0 to 1 (0.01: one in a hundred, spread evenly).
   * @default 0
   */
  readonly sampleRate?: number;
  /**
   * Length of a burst of 503 refusals: within it, only the first is logged and the others are counted.
   * @default 10000
   */
  readonly burstWindowMs?: number;
}

/** URLs are logged up to this length (a request target can be 16 KiB of anything). */
const MAX_LOGGED_URL_CHARS = 256;

function loggedUrl(url: string): string {
  return url.length > MAX_LOGGED_URL_CHARS ? `${url.slice(0, MAX_LOGGED_URL_CHARS)}…` : url;
}

/** The access log of one app. */
export class AccessLog {
  private readonly logger: FastifyBaseLogger;
  private readonly sampleRate: number;
  private readonly burstWindowMs: number;
  /** Sampling accumulator: a line is due each time it reaches 1 (evenly spread, no random numbers). */
  private due = 0;
  private burstStartedAt = Number.NEGATIVE_INFINITY;
  private burstSuppressed = 0;
  private burstTimer: NodeJS.Timeout | undefined;

  constructor(options: AccessLogOptions) {
    const rate = options.sampleRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`sampleRate must be between 0 and 1, got ${rate}`);
    this.logger = options.logger;
    this.sampleRate = rate;
    this.burstWindowMs = options.burstWindowMs ?? 10_000;
  }

  /** Called once per request as it arrives: when this one is sampled, logs it once its response ends. */
  sample(request: LoggedRequest, response: ServerResponse): void {
    if (this.sampleRate === 0) return;
    this.due += this.sampleRate;
    if (this.due < 1) return;
    this.due -= 1;
    const started = performance.now();
    response.once("close", () => {
      this.logger.info(
        {
          reqId: request.id,
          method: request.method,
          url: loggedUrl(request.url),
          statusCode: response.statusCode,
          completed: response.writableEnded,
          responseTimeMs: Number((performance.now() - started).toFixed(3)),
        },
        "request",
      );
    });
  }

  /**
   * A request answered with an error status: 5xx other than 503 at error level with the error (its stack
   * is for operators, never sent to the client), 503 once per burst, 4xx at info with the status only.
   */
  failed(request: LoggedRequest, status: number, message: string, error: Error): void {
    const fields = {
      reqId: request.id,
      method: request.method,
      url: loggedUrl(request.url),
      statusCode: status,
    };
    if (status === 503) {
      this.refusedUnavailable(fields, message);
    } else if (status >= 500) {
      this.logger.error({ ...fields, err: error }, "request failed");
    } else {
      // No message: a 4xx message may quote the request's values, and tensor data stays out of logs.
      this.logger.info(fields, "request refused");
    }
  }

  /** Stops the pending burst summary timer (the app is closing); logs the summary if one is due. */
  close(): void {
    clearTimeout(this.burstTimer);
    this.burstTimer = undefined;
    this.flushBurst();
  }

  private refusedUnavailable(fields: object, message: string): void {
    const now = performance.now();
    if (now - this.burstStartedAt < this.burstWindowMs) {
      this.burstSuppressed++;
      return;
    }
    this.flushBurst();
    this.burstStartedAt = now;
    this.logger.warn(
      { ...fields, error: message },
      `request refused with 503; further 503s in the next ${this.burstWindowMs / 1000} s are counted, not logged`,
    );
    clearTimeout(this.burstTimer);
    this.burstTimer = setTimeout(() => this.flushBurst(), this.burstWindowMs);
    this.burstTimer.unref();
  }

  private flushBurst(): void {
    if (this.burstSuppressed === 0) return;
    this.logger.warn(
      { refused: this.burstSuppressed, windowMs: this.burstWindowMs },
      `${this.burstSuppressed} more requests refused with 503 in this burst`,
    );
    this.burstSuppressed = 0;
  }
}
