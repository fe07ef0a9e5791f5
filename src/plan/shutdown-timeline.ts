/**
 * The graceful shutdown of a server pod behind a Kubernetes Service or an NLB, stated once. Every timing the
 * planners write (preStop hook, server flags, grace period, NLB deregistration delay) comes from here.
 *
 * With S = preStopSleepSeconds, D = drainDelaySeconds, T = shutdownTimeoutSeconds (D < T):
 *
 * ```
 * t = 0      the pod is terminating: the endpoints controller drops it, the AWS Load Balancer Controller
 *            deregisters its IP target (the NLB stops opening new connections to it: "draining")
 * 0 .. S     preStop sleep: the server still serves everything, while kube-proxy and the NLB catch up
 * t = S      SIGTERM: the server reports unready, keeps serving in-flight and arriving requests for D
 * S + D      the server closes its listener and finishes in-flight requests
 * S + T      the server's hard deadline: it exits, in-flight or not
 * G          terminationGracePeriodSeconds > S + T (default S + T + 5): the kubelet's SIGKILL comes after
 * ```
 *
 * The NLB's deregistration delay is S + T: the target group keeps a draining target's connections for as
 * long as the pod may still answer on them, and, with connection termination on, closes what is left then
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html:
 * `deregistration_delay.timeout_seconds`, 0-3600, default 300). Shorter would cut requests the server is
 * still answering; longer (the default 300) keeps targets draining after their pods are gone, which slows
 * every rollout behind the pod readiness gate.
 */

/** The shutdown timings of a ModelService's pods. */
export interface ShutdownTimings {
  readonly preStopSleepSeconds: number;
  readonly drainDelaySeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds: number;
}

/** Seconds added to S + T for the default grace period, so the kubelet never kills a server on time. */
export const TERMINATION_GRACE_MARGIN_SECONDS = 5;

/** The longest deregistration delay a target group accepts (`deregistration_delay.timeout_seconds`). */
export const MAX_DEREGISTRATION_DELAY_SECONDS = 3600;

/** Seconds from the pod turning terminating until the server has exited for sure: S + T. */
export function serverExitDeadlineSeconds(
  s: Pick<ShutdownTimings, "preStopSleepSeconds" | "shutdownTimeoutSeconds">,
): number {
  return s.preStopSleepSeconds + s.shutdownTimeoutSeconds;
}

/** The default terminationGracePeriodSeconds: S + T + margin. */
export function defaultTerminationGracePeriodSeconds(
  s: Pick<ShutdownTimings, "preStopSleepSeconds" | "shutdownTimeoutSeconds">,
): number {
  return serverExitDeadlineSeconds(s) + TERMINATION_GRACE_MARGIN_SECONDS;
}

/** The NLB target group's deregistration delay: exactly as long as the pod may still answer, S + T. */
export function deregistrationDelaySeconds(s: ShutdownTimings): number {
  return serverExitDeadlineSeconds(s);
}
