/**
 * Wires termination signals to a {@link DrainController}: the first SIGTERM or SIGINT starts the drain and
 * exits with its code; later signals are logged and otherwise ignored (the hard deadline still holds).
 * SIGINT (Ctrl-C at a terminal) skips the drain delay: no load balancer is waiting to notice.
 */
import type { DrainController, DrainLogger } from "./drain";

/** Options of {@link exitOnShutdownSignal}. */
export interface ShutdownSignalOptions {
  /** @default ["SIGTERM", "SIGINT"] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Ends the process with the drain's exit code. @default process.exit */
  readonly exit?: (code: number) => void;
  /** @default - no logging */
  readonly logger?: Pick<DrainLogger, "info" | "warn">;
  /** The process to listen on. @default process */
  readonly target?: Pick<NodeJS.Process, "on" | "off">;
}

/** Installs the handlers; returns a function that removes them. */
export function exitOnShutdownSignal(
  controller: DrainController,
  options: ShutdownSignalOptions = {},
): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.target ?? process;
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.phase !== "serving") {
      options.logger?.warn({ signal, phase: controller.phase }, "already shutting down; signal ignored");
      return;
    }
    options.logger?.info({ signal }, "shutdown signal received");
    void controller.shutdown(signal, { skipDrainDelay: signal === "SIGINT" }).then(exit);
  };
  for (const signal of signals) target.on(signal, handler);
  return () => {
    for (const signal of signals) target.off(signal, handler);
  };
}
