/**
 * Clients that stop reading a large answer. Node keeps what the kernel's socket buffer cannot take in the
 * process until the client reads it, and sets no timeout on a connection while it answers: eight clients
 * that each asked for a 55 MB JSON answer and read nothing held 440 MB of the server (RSS 820 MB) for as
 * long as they kept their connections open. An answer of {@link WATCHED_ANSWER_BYTES} or more is watched:
 * when nothing moves on its connection (no byte read by the client, none received) for the stall timeout,
 * the connection is closed and the answer's memory freed. A client that reads slowly but steadily is
 * never cut off: every write the kernel accepts restarts the clock.
 */
import type { ServerResponse } from "node:http";

/** Answers from this size on (bytes) are watched: smaller ones fit in the kernel's socket buffers. */
export const WATCHED_ANSWER_BYTES = 1024 * 1024;

/** How long a large answer's connection may stand still before it is closed, by default (ms). */
export const STALLED_READER_TIMEOUT_MS = 30_000;

/** Watches `response` (about to carry `bodyBytes`) for a reader that stopped, if the answer is large. */
export function watchReader(response: ServerResponse, bodyBytes: number, timeoutMs: number): void {
  if (bodyBytes < WATCHED_ANSWER_BYTES) return;
  // The socket's inactivity timeout; node sets the keep-alive timeout in its place once the answer is sent.
  response.setTimeout(timeoutMs, () => response.destroy());
}
