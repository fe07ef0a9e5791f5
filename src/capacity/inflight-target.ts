/**
 * The autoscaler's target of in-flight requests per replica, by Little's law: the requests inside a system
 * equal its throughput times the time each spends there, `L = X x W`. At the chosen profile point a replica
 * sustains an arrival rate of `X` requests per second with a mean latency `W`, so it holds `X x W` requests
 * in flight. The HPA should add replicas before every replica
 * reaches that, so the target is `X x W / (1 + headroom)`: at the peak it asks for `peak x (1 + headroom) / X`
 * replicas, the same count as `replicas.max`.
 */
import { round } from "./replicas";

/** `X x W / (1 + headroom)`, with `W` in milliseconds; at least 0.001 (the prop's lower bound). */
export function inflightTarget(requestsPerSecond: number, meanLatencyMs: number, headroom: number): number {
  return Math.max(0.001, round((requestsPerSecond * (meanLatencyMs / 1000)) / (1 + headroom)));
}
