// `npm run bench -- --soak S`: sustained load on onnxfleet-server for S seconds (every bench model at once,
// each from its own wrk), sampling the server's resident set size every second. Memory is bounded when the
// RSS of the last third of the run is not above that of the middle third (by more than a small margin).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runLoad } from "./load.mjs";
import { rssMiB, startServer } from "./servers.mjs";

const CONNECTIONS = { tiny: 32, wide: 16 };
/** Allowed growth from the middle third's peak to the last third's peak. */
const MARGIN_MIB = 16;

export async function runSoak({ written, seconds, serverArgs, log, out }) {
  const models = Object.keys(written);
  // One server with every model: stage them into one repository.
  const repository = written[models[0]].repository.replace(/[^/]+\/repository$/, "soak-repository");
  mkdirSync(repository, { recursive: true });
  for (const model of models)
    cpSync(join(written[model].repository, model), join(repository, model), { recursive: true });
  const server = await startServer("onnxfleet", { repository, model: models[0], serverArgs });
  try {
    const samples = [];
    const startRss = rssMiB(server.pid);
    const t0 = Date.now();
    const sampler = setInterval(
      () => samples.push({ s: (Date.now() - t0) / 1000, rssMiB: rssMiB(server.pid) }),
      1000,
    );
    log(
      `soak: ${seconds} s on ${models.map((m) => `${m} @${CONNECTIONS[m]}`).join(" + ")}; RSS at start ${startRss.toFixed(0)} MiB`,
    );
    const loads = await Promise.all(
      models.map((model) =>
        runLoad({
          url: server.url.replace(`/models/${models[0]}/`, `/models/${model}/`),
          bodyFile: written[model].bodyFile,
          connections: CONNECTIONS[model],
          seconds,
        }).then((result) => ({ model, ...result })),
      ),
    );
    clearInterval(sampler);
    const third = Math.max(1, Math.floor(samples.length / 3));
    const peak = (list) => Math.max(...list.map((s) => s.rssMiB));
    const middlePeak = peak(samples.slice(third, 2 * third));
    const lastPeak = peak(samples.slice(2 * third));
    const bounded = lastPeak <= middlePeak + MARGIN_MIB;
    const result = {
      date: new Date(t0).toISOString(),
      seconds,
      loads,
      startRssMiB: startRss,
      middleThirdPeakMiB: middlePeak,
      lastThirdPeakMiB: lastPeak,
      maxRssMiB: peak(samples),
      bounded,
      samples,
    };
    for (const load of loads) {
      log(
        `  ${load.model}: ${load.rowsPerSec.toFixed(0)} rows/s, p99 ${load.p99Ms.toFixed(2)} ms, ${load.errors} errors`,
      );
    }
    process.stdout.write(
      `soak ${seconds} s: RSS start ${startRss.toFixed(0)} MiB, middle-third peak ${middlePeak.toFixed(0)} MiB, ` +
        `last-third peak ${lastPeak.toFixed(0)} MiB, max ${result.maxRssMiB.toFixed(0)} MiB: ` +
        `${bounded ? "bounded" : `GROWING (more than ${MARGIN_MIB} MiB)`}\n`,
    );
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "soak.json"), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await server.stop();
  }
}
