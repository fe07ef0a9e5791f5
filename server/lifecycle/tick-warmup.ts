/**
 * Warms node's own `process.nextTick` before the server boots, so V8 optimises it on plain calls.
 *
 * Node 24's `nextTick` builds each tick object with three computed symbol keys. When V8 first optimises it
 * during a boot as busy as this server's (fastify's `ready()` with its hooks, routes and logger), the
 * optimised code defines those keys through a runtime call each: about 4,000 CPU instructions per
 * `nextTick`, and node's HTTP and stream code calls it about five times per request. callgrind counted
 * 26,000 instructions per tiny-model request there (9-12 % of the event loop's work) that the naive
 * baseline server never pays. Optimised first on a few thousand plain calls, it keeps the fast form:
 * callgrind then counts none of those calls (docs/benchmark.md, "node's own `process.nextTick`").
 * The cost is a few tens of milliseconds at start.
 */

/** Calls `process.nextTick` `rounds` x `callsPerRound` times, letting the event loop turn between rounds. */
export async function warmNextTick(rounds = 4, callsPerRound = 20_000): Promise<void> {
  const noop = (): void => {};
  for (let round = 0; round < rounds; round++) {
    for (let call = 0; call < callsPerRound; call++) process.nextTick(noop);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
