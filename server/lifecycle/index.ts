/** Server lifecycle: readiness, graceful drain on SIGTERM, exit code. */
export {
  DEFAULT_DRAIN_DELAY_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DrainController,
  type DrainLogger,
  type DrainOptions,
  type LifecyclePhase,
} from "./drain";
export { exitOnShutdownSignal, type ShutdownSignalOptions } from "./signals";
