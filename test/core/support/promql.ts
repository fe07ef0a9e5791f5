/**
 * Reads the metric names out of a PromQL expression (alert rules, dashboard queries), independently of the
 * planners that wrote it: strings, label matchers, ranges and grouping label lists are removed, then every
 * remaining identifier that is not a function call or a keyword is a metric name.
 */

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
]);

/** Throws when parentheses, braces or brackets do not balance (a broken expression). */
export function assertBalanced(expr: string): void {
  const pairs: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "(" || c === "{" || c === "[") stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) throw new Error(`unbalanced ${c} at ${i} in ${expr}`);
  }
  if (inString || stack.length > 0) throw new Error(`unbalanced expression: ${expr}`);
}

/** The metric names an expression selects. */
export function metricNamesIn(expr: string): string[] {
  assertBalanced(expr);
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const after = stripped.slice(match.index + token.length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(token)) continue;
    // A duration or number suffix such as the `e` in 1e3 is preceded by a digit.
    if (match.index > 0 && /[0-9.]/.test(stripped[match.index - 1]!)) continue;
    names.add(token);
  }
  return [...names];
}
