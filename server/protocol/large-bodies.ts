/**
 * Bounds on large inference bodies, whose JSON decoding runs on the event loop's thread and takes about
 * 40 ms per MiB: while one decodes, nothing else is answered, probes included. So:
 *
 * - at most {@link LargeBodyGateOptions.maxInFlight} large requests are admitted at once (counted from
 *   their `Content-Length`, before any of the body is read); more are answered 503 at once, so neither
 *   the memory for their bodies nor a backlog of decoding piles up;
 * - admitted large bodies are decoded one at a time, each after a turn of the event loop, so probes and
 *   small requests are answered between two decodes rather than after all of them;
 * - bodies of {@link LargeBodyGateOptions.budgetedBytes} or more (64 KiB), of either kind, JSON or the
 *   binary tensor extension's, are admitted while their bytes (Content-Length; the body limit for a
 *   chunked one) fit in {@link LargeBodyGateOptions.budgetBytes} together with those already in
 *   progress, as each is held whole until it is answered: thirty binary bodies of 60 MB at once took the
 *   server to 2 GB of RSS, a thousand JSON bodies of 0.8 MB to 656 MB;
 * - JSON bodies of that size or more, below the large threshold too, decode one at a time after a turn of
 *   the event loop: a thousand 0.8 MB bodies decoded back to back kept a probe waiting 3.9 s.
 */
import type { IncomingHttpHeaders } from "node:http";
import { INFERENCE_HEADER_CONTENT_LENGTH } from "./binary";
import { ProtocolError } from "./errors";

/** Options of {@link LargeBodyGate}. */
export interface LargeBodyGateOptions {
  /**
   * Bodies from this size on (bytes) are large. A body without `Content-Length` (chunked) counts as large.
   * @default 1048576 (1 MiB)
   */
  readonly thresholdBytes?: number;
  /** Large JSON requests admitted at once (received, waiting or decoding). @default 2 */
  readonly maxInFlight?: number;
  /**
   * Bytes of bodies of {@link budgetedBytes} or more, JSON or binary, in progress at once
   * (`--large-bodies-budget-bytes`).
   * @default 268435456 (256 MiB)
   */
  readonly budgetBytes?: number;
  /** What a chunked body (no Content-Length) counts as, in bytes: the body limit. @default 67108864 */
  readonly bodyLimitBytes?: number;
  /**
   * Bodies from this size on (bytes) count against the budget, and JSON ones decode in turn: a 64 KiB JSON
   * body takes 2-3 ms to decode, so below it a turn of the event loop costs more than it saves.
   * @default 65536
   */
  readonly budgetedBytes?: number;
}

/** The gate of one app. */
export class LargeBodyGate {
  readonly thresholdBytes: number;
  readonly maxInFlight: number;
  readonly budgetBytes: number;
  readonly budgetedBytes: number;
  private readonly bodyLimitBytes: number;
  private inFlight = 0;
  private bytesInFlight = 0;
  /** The end of the last decode turn handed out: turns run one after another. */
  private lastTurn: Promise<void> = Promise.resolve();

  constructor(options: LargeBodyGateOptions = {}) {
    this.thresholdBytes = options.thresholdBytes ?? 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.budgetBytes = options.budgetBytes ?? 256 * 1024 * 1024;
    this.bodyLimitBytes = options.bodyLimitBytes ?? 64 * 1024 * 1024;
    this.budgetedBytes = options.budgetedBytes ?? 64 * 1024;
  }

  /**
   * Admits a request by its headers, before any of its body is read, or throws 503; `onDone` registers
   * the release (call it once the response has ended, whatever happened). A body of
   * {@link budgetedBytes} or more (a chunked one counts as the body limit) is counted against the budget,
   * and a large JSON one (at least {@link thresholdBytes}, or chunked) among the {@link maxInFlight} too.
   * Requests without a body, with a smaller one, or with one over the body limit (fastify answers 413,
   * which says more than a 503 would) pass uncounted.
   */
  admit(headers: IncomingHttpHeaders, onDone: (release: () => void) => void): void {
    const length = headers["content-length"];
    const chunked = length === undefined;
    if (chunked && headers["transfer-encoding"] === undefined) return;
    const bytes = chunked ? this.bodyLimitBytes : Number(length);
    if ((!chunked && !(bytes >= this.budgetedBytes)) || bytes > this.bodyLimitBytes) return;
    const json =
      headers[INFERENCE_HEADER_CONTENT_LENGTH] === undefined && (chunked || bytes >= this.thresholdBytes);
    if (json && this.inFlight >= this.maxInFlight) {
      throw new ProtocolError(
        503,
        `${this.inFlight} large requests (${this.thresholdBytes} bytes or more) are already in progress; ` +
          "retry later, send smaller requests or use the binary tensor extension",
      );
    }
    const release = this.admitBytes(bytes);
    if (json) this.inFlight++;
    onDone(() => {
      if (json) this.inFlight--;
      release();
    });
  }

  /**
   * Counts `bytes` of a body against the budget and returns its release (call it once, when the response
   * has ended), or throws 503 when they would pass the budget.
   */
  private admitBytes(bytes: number): () => void {
    if (this.bytesInFlight + bytes > this.budgetBytes) {
      throw new ProtocolError(
        503,
        `request bodies of ${this.bytesInFlight} bytes are already in progress and this one's ${bytes} ` +
          `would pass the ${this.budgetBytes} bytes allowed at once (--large-bodies-budget-bytes); retry later ` +
          "or send smaller requests",
      );
    }
    this.bytesInFlight += bytes;
    return () => {
      this.bytesInFlight -= bytes;
    };
  }

  /**
   * Runs `decode` (synchronous) after every earlier large decode and a turn of the event loop; resolves
   * with its result.
   */
  decodeInTurn<T>(decode: () => T): Promise<T> {
    const turn = this.lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const result = turn.then(decode);
    this.lastTurn = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
