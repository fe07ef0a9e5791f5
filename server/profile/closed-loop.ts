/**
 * Closed-loop load for a profile point: `concurrency` loops, each sending the next request as soon as the
 * previous answer arrived, over its own keep-alive connection. Answers completed inside the window count
 * (whenever they were sent, so the window's edges do not bias the rate); latency is measured per request
 * from send to the end of the answer.
 */
import http from "node:http";

/** What one window measured. */
export interface ClosedLoopResult {
  /** 200 answers completed inside the window. */
  readonly requests: number;
  /** Other answers and connection errors. */
  readonly errors: number;
  /** Latencies of the counted answers, in milliseconds. */
  readonly latenciesMs: number[];
  readonly durationSeconds: number;
}

/** POSTs `body` and resolves with the status once the answer is read. */
export function post(agent: http.Agent, port: number, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * Runs `concurrency` loops for `warmupSeconds` (not counted), then for `durationSeconds` (counted), and
 * waits for the last requests to finish.
 */
export async function closedLoop(options: {
  readonly port: number;
  readonly path: string;
  readonly body: Buffer;
  readonly concurrency: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
}): Promise<ClosedLoopResult> {
  const start = performance.now();
  const windowStart = start + options.warmupSeconds * 1000;
  const windowEnd = windowStart + options.durationSeconds * 1000;
  const latenciesMs: number[] = [];
  let errors = 0;
  const loop = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (performance.now() < windowEnd) {
        const sent = performance.now();
        let status = 0;
        try {
          status = await post(agent, options.port, options.path, options.body);
        } catch {
          status = 0;
        }
        const done = performance.now();
        if (done < windowStart || done > windowEnd) continue;
        if (status === 200) latenciesMs.push(done - sent);
        else errors++;
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return { requests: latenciesMs.length, errors, latenciesMs, durationSeconds: options.durationSeconds };
}
