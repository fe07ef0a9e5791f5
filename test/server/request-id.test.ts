/**
 * Fresh request ids (server/request-id.ts): UUID-shaped, distinct within a process (a count) and between
 * processes (a random part drawn per process).
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freshRequestId } from "../../server/request-id";

const UUID_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The random part of an id: all but its last 12 hex digits. */
const randomPart = (id: string) => id.slice(0, -12);

describe("fresh request ids", () => {
  it("GIVEN 20,000 ids from one process THEN each has the UUID form, none repeats, and they count up", () => {
    const ids = Array.from({ length: 20_000 }, () => freshRequestId());
    for (const id of ids) expect(id).toMatch(UUID_FORM);
    expect(new Set(ids).size).toBe(ids.length);
    const counts = ids.map((id) => Number.parseInt(id.slice(-12), 16));
    expect(counts.every((count, i) => i === 0 || count === counts[i - 1]! + 1)).toBe(true);
    expect(new Set(ids.map(randomPart)).size).toBe(1);
  });

  it("GIVEN two processes THEN their ids differ in the random part", () => {
    const script = 'console.log(require("./server/request-id.ts").freshRequestId())';
    const idOfNewProcess = () =>
      execFileSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8" }).trim();
    const [first, second] = [idOfNewProcess(), idOfNewProcess()];
    expect(first).toMatch(UUID_FORM);
    expect(second).toMatch(UUID_FORM);
    expect(randomPart(first)).not.toBe(randomPart(second));
    expect(randomPart(first)).not.toBe(randomPart(freshRequestId()));
  });
});
