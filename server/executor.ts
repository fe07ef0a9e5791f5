import type { Tensor } from "./tensor";

/**
 * What the app calls to run one model version. The default executor is the runtime session itself;
 * a dynamic batcher wraps one executor in another with the same interface.
 */
export interface InferenceExecutor {
  /**
   * Runs the model on validated inputs (every model input, in any order) and returns the named outputs,
   * in the order asked.
   */
  infer(inputs: readonly Tensor[], outputNames: readonly string[]): Promise<Tensor[]>;
  /**
   * Called once when the server shuts down, before the underlying session is released: finish or fail
   * whatever is queued. Optional; the plain session executor has nothing to do.
   */
  close?(): Promise<void>;
}
