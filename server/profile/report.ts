/**
 * What `onnxfleet profile` shows of a profile: a summary table, each setting's knee, the recommendation within
 * a p99 budget, and an SVG plot of throughput against p99 latency (one line per batching setting, a point per
 * arrival rate).
 */
import type { CapacityProfile, ProfilePoint } from "../../src/capacity/profile";
import { recommendBatching } from "../../src/capacity/slo-throughput";

function settingKey(point: { readonly maxBatchSize: number; readonly maxQueueDelayMs: number }): string {
  return point.maxBatchSize === 1
    ? "no batching"
    : `batch ${point.maxBatchSize}, ${point.maxQueueDelayMs} ms`;
}

/** The summary table: one line per point. */
export function summaryTable(profile: CapacityProfile): string {
  const header = [
    "batching",
    "rate/s",
    "req/s",
    "rows/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "errors",
    "peak RSS MiB",
    "GPU MiB",
  ];
  const rows = profile.points.map((point) => [
    settingKey(point),
    String(point.arrivalRate),
    point.requestsPerSecond.toFixed(1),
    point.rowsPerSecond.toFixed(1),
    point.latencyMs.p50.toFixed(2),
    point.latencyMs.p90.toFixed(2),
    point.latencyMs.p99.toFixed(2),
    String(point.errors),
    (point.peakRssBytes / 2 ** 20).toFixed(0),
    point.peakGpuMemoryBytes === null ? "-" : (point.peakGpuMemoryBytes / 2 ** 20).toFixed(0),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  const table = `${all.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n")}\n`;
  const gpu = profile.gpuMemoryUnavailable
    ? `GPU memory not measured: ${profile.gpuMemoryUnavailable}\n`
    : "";
  return table + kneeLines(profile) + gpu;
}

/** One line per batching setting: the highest arrival rate within the search's p99 budget. */
export function kneeLines(profile: CapacityProfile): string {
  return profile.knees
    .map(
      (knee) =>
        `Knee, ${settingKey(knee)}: ` +
        (knee.requestsPerSecond === null
          ? `no rate met p99 <= ${knee.p99BudgetMs} ms`
          : `${knee.requestsPerSecond} req/s within p99 <= ${knee.p99BudgetMs} ms`) +
        ` (lone requests: ${knee.unloadedLatencyMs} ms)\n`,
    )
    .join("");
}

/** The recommendation line for a p99 budget. */
export function recommendation(profile: CapacityProfile, p99Ms: number): string {
  const best = recommendBatching(profile.points, p99Ms);
  if (!best) {
    const lowest = Math.min(...profile.points.map((point) => point.latencyMs.p99));
    return `No setting meets p99 <= ${p99Ms} ms; the lowest p99 measured is ${lowest.toFixed(2)} ms.\n`;
  }
  const { point } = best;
  return (
    `Within p99 <= ${p99Ms} ms: maxBatchSize ${best.maxBatchSize}, maxQueueDelayMs ${best.maxQueueDelayMs} ` +
    `(${point.requestsPerSecond.toFixed(1)} req/s per replica at a fixed arrival rate, ` +
    `p99 ${point.latencyMs.p99.toFixed(2)} ms). ModelService: batching: { maxBatchSize: ${best.maxBatchSize}, ` +
    `maxQueueDelayMs: ${best.maxQueueDelayMs} }\n`
  );
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** A "nice" upper bound for an axis. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The SVG plot: x = p99 ms, y = answers completed per second; a dashed line at `p99Ms` when given. */
export function plotSvg(profile: CapacityProfile, p99Ms?: number): string {
  const width = 720;
  const height = 440;
  const left = 70;
  const right = 200;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xMax = niceMax(Math.max(...profile.points.map((p) => p.latencyMs.p99), p99Ms ?? 0) * 1.05);
  const yMax = niceMax(Math.max(...profile.points.map((p) => p.completedPerSecond)) * 1.05);
  const x = (ms: number) => left + (ms / xMax) * plotW;
  const y = (rps: number) => top + plotH - (rps / yMax) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14">${escapeXml(`${profile.model.name}: throughput vs p99 (one replica, ${profile.machine.cpuModel}, ${profile.machine.cores} core(s))`)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const xv = (xMax * i) / 5;
    const yv = (yMax * i) / 5;
    parts.push(
      `<line x1="${x(xv)}" y1="${top}" x2="${x(xv)}" y2="${top + plotH}" stroke="#eee"/>`,
      `<text x="${x(xv)}" y="${top + plotH + 18}" text-anchor="middle">${+xv.toFixed(2)}</text>`,
      `<line x1="${left}" y1="${y(yv)}" x2="${left + plotW}" y2="${y(yv)}" stroke="#eee"/>`,
      `<text x="${left - 8}" y="${y(yv) + 4}" text-anchor="end">${+yv.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 18}" text-anchor="middle">p99 latency (ms)</text>`,
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">requests per second</text>`,
  );
  if (p99Ms !== undefined)
    parts.push(
      `<line x1="${x(p99Ms)}" y1="${top}" x2="${x(p99Ms)}" y2="${top + plotH}" stroke="#555" stroke-dasharray="5 4"/>`,
      `<text x="${x(p99Ms) + 4}" y="${top + 14}">p99 target ${p99Ms} ms</text>`,
    );
  const groups = new Map<string, ProfilePoint[]>();
  for (const point of profile.points)
    groups.set(settingKey(point), [...(groups.get(settingKey(point)) ?? []), point]);
  [...groups.entries()].forEach(([key, points], i) => {
    const color = COLORS[i % COLORS.length]!;
    const sorted = [...points].sort((a, b) => a.arrivalRate - b.arrivalRate);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${x(p.latencyMs.p99).toFixed(1)},${y(p.completedPerSecond).toFixed(1)}`).join(" ")}"/>`,
    );
    for (const p of sorted)
      parts.push(
        `<circle cx="${x(p.latencyMs.p99).toFixed(1)}" cy="${y(p.completedPerSecond).toFixed(1)}" r="3.5" fill="${color}"><title>${escapeXml(`${key}, ${p.arrivalRate} req/s offered: ${p.completedPerSecond.toFixed(1)} req/s served, p99 ${p.latencyMs.p99.toFixed(2)} ms`)}</title></circle>`,
      );
    const ly = top + 10 + i * 20;
    parts.push(
      `<line x1="${left + plotW + 15}" y1="${ly}" x2="${left + plotW + 35}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${left + plotW + 40}" y="${ly + 4}">${escapeXml(key)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
