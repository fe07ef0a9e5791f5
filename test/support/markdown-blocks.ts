/**
 * The TypeScript blocks of a Markdown file (README.md, docs/*.md), with the declarations a fragment needs:
 * an HTML comment right before its fence, `<!-- ts-preamble ... -->` (docs/development.md, "TypeScript in
 * the docs").
 */

/** One TypeScript block. */
export interface Block {
  /** The Markdown file, relative to the repository root. */
  readonly doc: string;
  /** Line of the block's first code line in the Markdown file (1-based). */
  readonly line: number;
  /** The heading the block sits under. */
  readonly heading: string;
  readonly code: string;
  readonly preamble: string;
}

const FENCE = /^```(ts|typescript)\s*$/;
const PREAMBLE = /<!--\s*ts-preamble\s*\n((?:(?!-->)[\s\S])*)-->\s*$/;

/** The TypeScript blocks of one Markdown file, with their preambles. */
export function typescriptBlocks(doc: string, text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, "");
    if (!FENCE.test(line)) continue;
    const end = lines.findIndex((candidate, j) => j > i && candidate.startsWith("```"));
    if (end < 0) throw new Error(`${doc}:${i + 1}: unterminated code block`);
    const before = lines.slice(0, i).join("\n").trimEnd();
    const preamble = PREAMBLE.exec(before)?.[1] ?? "";
    blocks.push({ doc, line: i + 2, heading, code: lines.slice(i + 1, end).join("\n"), preamble });
    i = end;
  }
  return blocks;
}

/** The one TypeScript block of `doc` under `heading`; throws when there is none. */
export function blockUnder(blocks: readonly Block[], doc: string, heading: string): Block {
  const block = blocks.find((b) => b.doc === doc && b.heading === heading);
  if (!block) throw new Error(`${doc} has no TypeScript block under "${heading}"`);
  return block;
}
