/**
 * The open-loop load driver of `onnxfleet profile` and of the capacity end-to-end test: requests leave at a
 * fixed arrival rate (request i at `start + i / rate`), whether or not earlier ones were answered, as
 * independent clients would send them. Latency counts from a request's scheduled time, so a late send (the
 * driver itself busy) is charged to the measurement rather than hidden (no coordinated omission).
 */
import http from "node:http";
import { postJson } from "./http-post";
import { summarizeLatency } from "./latency";

/** What a run measured. */
export interface OpenLoopResult {
  /** Requests scheduled inside the measured window. */
  readonly scheduled: number;
  /** Of those, answered 200. */
  readonly ok: number;
  /** Of those, any other answer or a connection error. */
  readonly errors: number;
  /** Latencies from the scheduled time, in ms, of the window's 200 answers. */
  readonly latencyMs: ReturnType<typeof summarizeLatency>;
  /** Answers per second completed during the window (of any request): the throughput actually served. */
  readonly completedPerSecond: number;
  /** Worst lag between a scheduled time and the actual send, in ms: the driver's own health. */
  readonly maxSendLagMs: number;
}

/**
 * Sends `body` to `http://127.0.0.1:port/path` at `rate` requests per second for `warmupSeconds` (not
 * measured) plus `durationSeconds`, then waits up to `drainSeconds` for the answers.
 */
export async function openLoop(options: {
  readonly port: number;
  readonly path: string;
  readonly body: Buffer;
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly drainSeconds: number;
}): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });
  const total = Math.round(options.rate * (options.warmupSeconds + options.durationSeconds));
  const firstMeasured = Math.round(options.rate * options.warmupSeconds);
  const start = performance.now() + 20;
  const windowStart = start + options.warmupSeconds * 1000;
  const windowEnd = start + (options.warmupSeconds + options.durationSeconds) * 1000;
  const latencies: number[] = [];
  let ok = 0;
  let completedInWindow = 0;
  let maxSendLagMs = 0;
  const pending = new Set<Promise<void>>();

  const send = (i: number, scheduledAt: number) => {
    const measured = i >= firstMeasured;
    const finish = (status: number) => {
      const now = performance.now();
      if (now >= windowStart && now <= windowEnd) completedInWindow++;
      if (measured && status === 200) {
        ok++;
        latencies.push(now - scheduledAt);
      }
    };
    const request = postJson(agent, options.port, options.path, options.body).then(finish, () => finish(0));
    pending.add(request);
    void request.then(() => pending.delete(request));
  };

  await new Promise<void>((done) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / options.rate <= now) {
        const scheduledAt = start + (next * 1000) / options.rate;
        maxSendLagMs = Math.max(maxSendLagMs, now - scheduledAt);
        send(next, scheduledAt);
        next++;
      }
      if (next >= total) done();
      else
        setTimeout(tick, Math.max(0, Math.min(5, start + (next * 1000) / options.rate - performance.now())));
    };
    setTimeout(tick, 20);
  });
  const drained = Promise.all(pending);
  const timeout = new Promise<void>((done) => setTimeout(done, options.drainSeconds * 1000).unref());
  await Promise.race([drained, timeout]);
  agent.destroy();
  const scheduled = total - firstMeasured;
  return {
    scheduled,
    ok,
    // Requests never answered within the drain count as errors.
    errors: scheduled - ok,
    latencyMs: summarizeLatency(latencies),
    completedPerSecond: completedInWindow / options.durationSeconds,
    maxSendLagMs,
  };
}
