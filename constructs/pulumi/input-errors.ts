import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../../src/errors";

/**
 * Runs the core's planning of a component and turns its {@link ValidationError} into a
 * `pulumi.InputPropertiesError`: one entry per problem, with its property path (`replicas.min`,
 * `regions[1].endpoint.hostname`) and reason, so the Pulumi CLI shows them as it shows its own. The message
 * stays the core's (every problem on its own line, naming the component, the prop and the fix) and `cause` is
 * the core's error, with its stable `code` and `problems`. Any other error passes through.
 */
export function planOrThrowInputErrors<T>(plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const inputError = new pulumi.InputPropertiesError({
      message: error.message,
      errors: error.problems.map(({ path, reason }) => ({ propertyPath: path, reason })),
    });
    inputError.name = "InputPropertiesError";
    inputError.cause = error;
    throw inputError;
  }
}
