/**
 * One JSON POST to a server on loopback, resolving with the answer's status once its body is read: the
 * request of every load driver (the profiler's open loop, the end-to-end tests' loops).
 */
import http from "node:http";

/** POSTs `body` to `http://127.0.0.1:port/path` over `agent`; rejects on a connection error. */
export function postJson(
  agent: http.Agent,
  port: number,
  path: string,
  body: Buffer | string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
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
