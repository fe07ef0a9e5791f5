// Waits for the machine to be quiet before a measurement: other processes' CPU use (builds, tests) skews a
// load test far more than any setting under test. Reads the kernel's CPU counters (/proc/stat, Linux).
import { readFileSync } from "node:fs";

function cpuTicks() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  return { idle, total: fields.reduce((a, b) => a + b, 0) };
}

/** Fraction of all CPUs busy over the next `ms` milliseconds. */
export async function busyFraction(ms = 1000) {
  const before = cpuTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTicks();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

/**
 * Waits (up to `maxWaitMs`) until less than `maxBusy` of the CPUs is busy over one second; returns the
 * last busy fraction seen, which the bench records with the measurement.
 */
export async function waitForQuiet({ maxBusy = 0.15, maxWaitMs = 30_000 } = {}) {
  const deadline = Date.now() + maxWaitMs;
  let busy = await busyFraction();
  while (busy >= maxBusy && Date.now() < deadline) busy = await busyFraction();
  return busy;
}
