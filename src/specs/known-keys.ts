/**
 * Refuses props the construct does not know (a typo such as `diskSize` for `diskSizeGiB` would otherwise be
 * ignored silently, most often in a topology file), suggesting the closest known name.
 */
import { isUnresolved } from "../lazy";
import type { Validator } from "../validate";

/** Records a problem for every own key of `value` that is not in `known`. */
export function checkKnownKeys(
  check: Validator,
  path: string,
  value: unknown,
  known: readonly string[],
): void {
  if (value === null || typeof value !== "object" || Array.isArray(value) || isUnresolved(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    check.add(
      path ? `${path}.${key}` : key,
      `is not a prop${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ""}; allowed: ${known.join(", ")}`,
    );
  }
}

/** The known name nearest to `key`: same letters ignoring case, a prefix either way, or edit distance <= 2. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return (
    known.find((name) => name.toLowerCase() === lower) ??
    known.find((name) => name.toLowerCase().startsWith(lower) || lower.startsWith(name.toLowerCase())) ??
    known.find((name) => editDistance(name.toLowerCase(), lower) <= 2)
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
