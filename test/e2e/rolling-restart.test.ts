/**
 * A rolling update loses no request: three real `onnxfleet-server` replicas (from dist) behind a real
 * haproxy, restarted one by one under keep-alive load, exactly as a Deployment rollout does it: SIGTERM a
 * replica, wait for exit 0, start its replacement, wait until the load balancer holds it UP, next.
 * haproxy neither retries nor redispatches, so any request a replica drops reaches the load generator.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlp } from "../../server/testing/onnx-builder";
import { type Haproxy, haproxyAvailable, startHaproxy } from "./haproxy";
import { type LoadCounts, startLoad } from "./load";
import { freePort, type Replica, requireBuiltServer, startReplica } from "./replica";

const REPLICAS = 3;
/** The drain delay covers haproxy's detection (100 ms checks) with a wide margin for a busy CI machine. */
const REPLICA_ARGS = ["--drain-delay-seconds", "2", "--shutdown-timeout-seconds", "10"];
const INFER_BODY = JSON.stringify({
  inputs: [{ name: "input", datatype: "FP32", shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] }],
});

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1_200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("rolling restart behind haproxy", () => {
  let dir: string;
  let repository: string;
  let haproxy: Haproxy | undefined;
  const replicas = new Map<string, Replica>();
  const ports = new Map<string, number>();

  beforeAll(async () => {
    requireBuiltServer();
    if (!haproxyAvailable())
      throw new Error("haproxy is not installed (apt-get install haproxy; .ci/run does)");
    dir = mkdtempSync(join(tmpdir(), "onnxfleet-rolling-"));
    repository = join(dir, "models");
    mkdirSync(join(repository, "mlp", "1"), { recursive: true });
    writeFileSync(join(repository, "mlp", "1", "model.onnx"), mlp([4, 16, 3]));
    for (let i = 0; i < REPLICAS; i++) ports.set(`r${i}`, await freePort());
    await Promise.all(
      [...ports].map(async ([name, port]) => {
        replicas.set(name, await startReplica({ repository, port, extraArgs: REPLICA_ARGS }));
      }),
    );
    haproxy = await startHaproxy(dir, {
      frontendPort: await freePort(),
      statsPort: await freePort(),
      servers: Object.fromEntries(ports),
      checkIntervalMs: 100,
    });
    await until(async () => {
      const statuses = await haproxy!.statuses();
      return [...ports.keys()].every((name) => statuses[name] === "UP");
    }, "every replica UP in haproxy");
  });

  afterAll(async () => {
    for (const replica of replicas.values()) {
      if (replica.process.exitCode === null) replica.process.kill("SIGKILL");
    }
    await haproxy?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("restarts every replica under keep-alive load with zero failed requests", async () => {
    // GIVEN steady load through haproxy
    const load = startLoad({
      port: haproxy!.frontendPort,
      path: "/v2/models/mlp/infer",
      body: INFER_BODY,
      concurrency: 8,
    });
    await until(() => load.counts.ok >= 100, "load to flow");
    const answeredDuringDrain: number[] = [];

    // WHEN each replica in turn is terminated and replaced
    for (const [name, port] of ports) {
      const old = replicas.get(name)!;
      const okBefore = load.counts.ok;
      old.process.kill("SIGTERM");
      expect(await old.exited, `${name} exit code; output: ${old.output()}`).toBe(0);
      answeredDuringDrain.push(load.counts.ok - okBefore);
      replicas.set(name, await startReplica({ repository, port, extraArgs: REPLICA_ARGS }));
      await until(async () => (await haproxy!.statuses())[name] === "UP", `${name} UP again`);
    }
    const okAfterRollout = load.counts.ok;
    await until(() => load.counts.ok >= okAfterRollout + 100, "load after the rollout");
    const counts: LoadCounts = await load.stop();

    // THEN not one request failed, and traffic kept flowing through every drain
    console.info(
      `rolling restart: ${counts.sent} requests sent, ${counts.ok} answered 200, ` +
        `non-200 ${JSON.stringify(counts.badStatus)}, connection errors ${JSON.stringify(counts.errors)}; ` +
        `answered while each replica drained: ${answeredDuringDrain.join(", ")}`,
    );
    expect(counts.errors, haproxy!.log()).toEqual({});
    expect(counts.badStatus, haproxy!.log()).toEqual({});
    expect(counts.ok).toBe(counts.sent);
    for (const answered of answeredDuringDrain) expect(answered).toBeGreaterThan(0);
  });
});
