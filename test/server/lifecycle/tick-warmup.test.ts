import { describe, expect, it } from "vitest";
import { warmNextTick } from "../../../server/lifecycle/tick-warmup";

describe("warmNextTick", () => {
  it("queues its first round at once, lets the event loop turn between rounds, and then resolves", async () => {
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    let finished = false;
    const warming = warmNextTick(3, 1_000).then(() => {
      finished = true;
    });
    // Nothing has yielded yet: the first round is queued synchronously.
    expect(turned).toBe(false);
    await warming;
    // An immediate queued before the warm-up ran before it finished: the server's start is not held up
    // by a synchronous block of 80,000 calls.
    expect(turned).toBe(true);
    expect(finished).toBe(true);
  });
});
