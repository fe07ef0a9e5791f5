/**
 * Reads a profile given as a path (`capacity.profile: "profiles/resnet.json"`). The one file of the capacity
 * core that touches the file system; the math takes parsed objects.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Problem } from "../errors";
import { show } from "../validate";
import { type CapacityProfile, profileProblems } from "./profile";

/** A loaded profile, or the problems found, with paths under `capacity.profile`. */
export type LoadedProfile =
  | { readonly ok: true; readonly profile: CapacityProfile }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * The profile `source` names: a parsed object is validated as is; a string is a path read as JSON
 * (relative paths resolve against `baseDir`, by default the working directory).
 */
export function loadProfile(
  source: CapacityProfile | string,
  options: { readonly baseDir?: string; readonly readText?: (path: string) => string } = {},
): LoadedProfile {
  const path = "capacity.profile";
  let value: unknown = source;
  if (typeof source === "string") {
    const file = resolve(options.baseDir ?? process.cwd(), source);
    try {
      value = JSON.parse((options.readText ?? ((f: string) => readFileSync(f, "utf8")))(file));
    } catch (error) {
      return {
        ok: false,
        problems: [
          {
            path,
            reason: `(${show(source)}) cannot be read as a profile (${file}): ${(error as Error).message}; write one with \`onnxfleet profile\``,
          },
        ],
      };
    }
  }
  const problems = profileProblems(value);
  if (problems.length > 0)
    return {
      ok: false,
      problems: problems.map((problem) => ({
        path: problem.path ? `${path}.${problem.path}` : path,
        reason: typeof source === "string" ? `${problem.reason} (in ${source})` : problem.reason,
      })),
    };
  return { ok: true, profile: value as CapacityProfile };
}
