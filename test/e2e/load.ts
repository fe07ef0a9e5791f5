/**
 * A small load generator: `concurrency` loops, each sending inference requests one after another over
 * its own keep-alive connection, counting every answer and every connection error.
 */
import http from "node:http";
import { postJson } from "../../server/profile/http-post";

export interface LoadCounts {
  sent: number;
  ok: number;
  /** Answers other than 200, by status code. */
  badStatus: Record<number, number>;
  /** Connection-level failures (reset, refused, hang-up), by error code. */
  errors: Record<string, number>;
}

export interface LoadGenerator {
  readonly counts: LoadCounts;
  /** Stops sending new requests and resolves once every loop has finished its last one. */
  stop(): Promise<LoadCounts>;
}

/** Starts the loops against `127.0.0.1:port`. */
export function startLoad(options: {
  port: number;
  path: string;
  body: string;
  concurrency: number;
}): LoadGenerator {
  const counts: LoadCounts = { sent: 0, ok: 0, badStatus: {}, errors: {} };
  let running = true;
  const loop = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (running) {
      counts.sent++;
      try {
        const status = await postJson(agent, options.port, options.path, options.body);
        if (status === 200) counts.ok++;
        else counts.badStatus[status] = (counts.badStatus[status] ?? 0) + 1;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        counts.errors[code] = (counts.errors[code] ?? 0) + 1;
      }
    }
    agent.destroy();
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}
