// Throughput-versus-latency figure of a bench run, as a self-contained SVG: one panel per model (rows) and
// request protocol (columns), x = rows/s,
// y = latency (ms), both on log scales; per server a solid p50 line and a dashed p99 line through the
// connection counts, and the in-process limit as a vertical line.

const COLORS = { naive: "#d1495b", onnxfleet: "#00798c", bare: "#edae49" };
const LABELS = {
  naive: "naive node:http (baseline)",
  onnxfleet: "onnxfleet-server",
  bare: "bare batching (reference)",
};
const PANEL = { width: 460, height: 340, left: 64, right: 16, top: 40, bottom: 48 };

function escapeXml(text) {
  return String(text).replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c],
  );
}

/** Powers of ten (and 2x, 5x) spanning [min, max] for log-axis ticks. */
function logTicks(min, max) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  return ticks;
}

function format(v) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1000) return `${+(v / 1000).toFixed(1)}k`;
  return `${+v.toPrecision(2)}`;
}

function panel(model, points, limit, offsetX) {
  const { width, height, left, right, top, bottom } = PANEL;
  const xs = points.map((p) => p.rowsPerSec).concat(limit ? [limit] : []);
  const ys = points.flatMap((p) => [p.p50Ms, p.p99Ms]);
  const xMin = Math.min(...xs) / 1.5;
  const xMax = Math.max(...xs) * 1.5;
  const yMin = Math.max(0.01, Math.min(...ys) / 1.5);
  const yMax = Math.max(...ys) * 1.5;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (v) =>
    offsetX + left + ((Math.log(v) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotW;
  const y = (v) => top + plotH - ((Math.log(v) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * plotH;
  const out = [];
  out.push(
    `<text x="${offsetX + left + plotW / 2}" y="22" text-anchor="middle" font-weight="bold">${escapeXml(model)}</text>`,
  );
  out.push(
    `<rect x="${offsetX + left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
  );
  for (const t of logTicks(xMin, xMax)) {
    out.push(`<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${top + plotH}" stroke="#eee"/>`);
    out.push(
      `<text x="${x(t)}" y="${top + plotH + 16}" text-anchor="middle" font-size="11">${format(t)}</text>`,
    );
  }
  for (const t of logTicks(yMin, yMax)) {
    out.push(
      `<line x1="${offsetX + left}" y1="${y(t)}" x2="${offsetX + left + plotW}" y2="${y(t)}" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${offsetX + left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${format(t)}</text>`,
    );
  }
  out.push(
    `<text x="${offsetX + left + plotW / 2}" y="${height - 10}" text-anchor="middle" font-size="12">rows/s</text>`,
  );
  out.push(
    `<text transform="translate(${offsetX + 16} ${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">latency (ms)</text>`,
  );
  if (limit) {
    out.push(
      `<line x1="${x(limit)}" y1="${top}" x2="${x(limit)}" y2="${top + plotH}" stroke="#555" stroke-dasharray="2 3"/>`,
    );
    out.push(
      `<text x="${x(limit) - 4}" y="${top + 12}" text-anchor="end" font-size="11" fill="#555">in-process limit</text>`,
    );
  }
  for (const server of Object.keys(COLORS)) {
    const series = points.filter((p) => p.server === server).sort((a, b) => a.connections - b.connections);
    if (series.length === 0) continue;
    for (const [key, dash] of [
      ["p50Ms", ""],
      ["p99Ms", ' stroke-dasharray="6 4"'],
    ]) {
      const path = series.map((p) => `${x(p.rowsPerSec).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
      out.push(`<polyline points="${path}" fill="none" stroke="${COLORS[server]}" stroke-width="2"${dash}/>`);
      for (const p of series) {
        out.push(
          `<circle cx="${x(p.rowsPerSec).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${COLORS[server]}"/>`,
        );
      }
    }
    for (const p of series) {
      out.push(
        `<text x="${(x(p.rowsPerSec) + 5).toFixed(1)}" y="${(y(p.p50Ms) + 14).toFixed(1)}" font-size="10" fill="${COLORS[server]}">c${p.connections}</text>`,
      );
    }
  }
  return out.join("\n");
}

/** The SVG text for a bench result (see scripts/bench.mjs for its shape). */
export function plotSvg(result) {
  const protocols = result.settings.protocols ?? ["json"];
  const panels = Object.keys(result.inProcess).flatMap((model) =>
    protocols.map((protocol) => ({ model, protocol })),
  );
  const width = PANEL.width * Math.max(2, protocols.length);
  const height = PANEL.height * Math.ceil(panels.length / protocols.length) + 62;
  const parts = panels.map(({ model, protocol }, i) => {
    const column = i % protocols.length;
    const row = Math.floor(i / protocols.length);
    const drawn = panel(
      `${model} (${result.models[model].join("-")}), ${protocol}`,
      result.servers.filter((p) => p.model === model && (p.protocol ?? "json") === protocol),
      result.inProcess[model].limitRowsPerSec,
      0,
    );
    return `<g transform="translate(${column * PANEL.width} ${row * PANEL.height})">\n${drawn}\n</g>`;
  });
  let legendX = PANEL.left;
  const legend = [];
  const measured = new Set(result.servers.map((p) => p.server));
  for (const server of Object.keys(COLORS).filter((name) => measured.has(name))) {
    legend.push(
      `<line x1="${legendX}" y1="${height - 32}" x2="${legendX + 24}" y2="${height - 32}" stroke="${COLORS[server]}" stroke-width="2"/>`,
    );
    legend.push(
      `<text x="${legendX + 30}" y="${height - 28}" font-size="12">${escapeXml(LABELS[server])}</text>`,
    );
    legendX += 230;
  }
  legend.push(
    `<text x="${PANEL.left}" y="${height - 10}" font-size="12">solid: p50, dashed: p99, cN: N connections</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}
