import type { Logger } from "pino";

/**
 * Logs how a download advances (bytes, percent when the size is known, throughput) at most once per
 * interval. Never logs content.
 */
export class ProgressReporter {
  private bytes = 0;
  private readonly startedAt: number;
  private lastLoggedAt: number;

  constructor(
    private readonly logger: Logger,
    private readonly fields: Readonly<Record<string, unknown>>,
    private readonly totalBytes: number | undefined,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.lastLoggedAt = this.startedAt;
  }

  /** Bytes received so far. */
  get receivedBytes(): number {
    return this.bytes;
  }

  /** Milliseconds since the download started. */
  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Counts `length` more bytes; logs when the interval has passed. */
  add(length: number): void {
    this.bytes += length;
    const now = this.now();
    if (now - this.lastLoggedAt < this.intervalMs) return;
    this.lastLoggedAt = now;
    this.logger.info(
      {
        ...this.fields,
        bytes: this.bytes,
        ...(this.totalBytes === undefined ? {} : { totalBytes: this.totalBytes, percent: this.percent() }),
        bytesPerSecond: this.bytesPerSecond(),
      },
      "fetch progress",
    );
  }

  /** Average throughput since the start, bytes per second. */
  bytesPerSecond(): number {
    const seconds = Math.max(this.elapsedMs, 1) / 1000;
    return Math.round(this.bytes / seconds);
  }

  private percent(): number {
    if (!this.totalBytes) return 100;
    return Math.round((this.bytes / this.totalBytes) * 1000) / 10;
  }
}
