/**
 * Health probes on the Open Inference Protocol routes and the preStop hook.
 *
 * - startup: `/v2/health/ready` every 5 s until ready, for up to `modelLoadTimeoutSeconds` (model load and
 *   warm-up); liveness and readiness start only after it succeeds.
 * - readiness: `/v2/health/ready` every 5 s, unready after 2 failures (the server turns unready on SIGTERM).
 * - liveness: `/v2/health/live` every 10 s, restarted after 3 failures.
 */
import { HTTP_PORT_NAME, LIVE_PATH, READY_PATH } from "./server-contract";

export const STARTUP_PERIOD_SECONDS = 5;

function httpGet(path: string): Record<string, unknown> {
  return { path, port: HTTP_PORT_NAME, scheme: "HTTP" };
}

/** Startup probe: generous, covers model load and warm-up. */
export function startupProbe(modelLoadTimeoutSeconds: number): Record<string, unknown> {
  return {
    httpGet: httpGet(READY_PATH),
    periodSeconds: STARTUP_PERIOD_SECONDS,
    timeoutSeconds: 3,
    successThreshold: 1,
    failureThreshold: Math.ceil(modelLoadTimeoutSeconds / STARTUP_PERIOD_SECONDS),
  };
}

/** Readiness probe: takes the pod out of Services quickly when the server is draining or overloaded. */
export function readinessProbe(): Record<string, unknown> {
  return {
    httpGet: httpGet(READY_PATH),
    periodSeconds: 5,
    timeoutSeconds: 3,
    successThreshold: 1,
    failureThreshold: 2,
  };
}

/** Liveness probe: restarts a wedged server, tolerant of a busy one. */
export function livenessProbe(): Record<string, unknown> {
  return {
    httpGet: httpGet(LIVE_PATH),
    periodSeconds: 10,
    timeoutSeconds: 5,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

/** The container lifecycle: a preStop sleep (kubelet-native, no shell needed), or none when 0 seconds. */
export function lifecycle(preStopSleepSeconds: number): Record<string, unknown> | undefined {
  if (preStopSleepSeconds === 0) return undefined;
  return { preStop: { sleep: { seconds: preStopSleepSeconds } } };
}
