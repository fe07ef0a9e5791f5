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
 * The default, 4 rounds of 2,000 calls, takes about 8 ms; a probe timing 100,000 `nextTick`s after the
 * server was ready read 140-280 ns per call in 4 of 4 starts with it, and 300-1,270 ns (3 of 4 over
 * 890 ns) without.
 */

/** Calls `process.nextTick` `rounds` x `callsPerRound` times, letting the event loop turn between rounds. */
export async function warmNextTick(rounds = 4, callsPerRound = 2_000): Promise<void> {
  const noop = (): void => {};
  for (let round = 0; round < rounds; round++) {
    for (let call = 0; call < callsPerRound; call++) process.nextTick(noop);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
