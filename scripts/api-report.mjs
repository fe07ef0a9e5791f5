// The public API reports (etc/<entry>.api.md), one per entry point of package.json "exports", made by
// @microsoft/api-extractor from the built declarations in dist/ (run `npm run build` first).
//   node scripts/api-report.mjs           checks: fails when the public API differs from the committed report
//   node scripts/api-report.mjs --update  rewrites the reports (commit them with the change: `npm run api:update`)
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = fileURLToPath(new URL("..", import.meta.url));
const update = process.argv.includes("--update");
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));

/** `.` -> onnxfleet, `./pulumi/testing` -> onnxfleet-pulumi-testing (the report's file name). */
const reportName = (key) => (key === "." ? pkg.name : `${pkg.name}-${key.slice(2).replaceAll("/", "-")}`);

mkdirSync(`${root}etc`, { recursive: true });
let failed = 0;
for (const [key, target] of Object.entries(pkg.exports)) {
  const types = target?.require?.types;
  if (types === undefined) continue;
  const name = reportName(key);
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      newlineKind: "lf",
      mainEntryPointFilePath: `${root}${types.slice(2)}`,
      bundledPackages: [],
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            strict: true,
            module: "commonjs",
            moduleResolution: "node10",
            skipLibCheck: true,
          },
          include: [`${root}dist`],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder: `${root}etc/`,
        reportTempFolder: `${root}dist/api-report/`,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // One package, no release stages: every exported name is public.
        extractorMessageReporting: { "ae-missing-release-tag": { logLevel: "none" } },
        tsdocMessageReporting: { default: { logLevel: "none" } },
      },
    },
    configObjectFullPath: `${root}api-extractor.json`,
    packageJsonFullPath: `${root}package.json`,
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (result.apiReportChanged && !update) {
    failed++;
    process.stderr.write(
      `etc/${name}.api.md: the public API of "${key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`}" changed; ` +
        `review dist/api-report/${name}.api.md, then run \`npm run api:update\` and commit etc/\n`,
    );
  } else if (!result.succeeded && !result.apiReportChanged) {
    failed++;
    process.stderr.write(`${name}: api-extractor failed (${result.errorCount} errors)\n`);
  } else {
    process.stdout.write(
      `etc/${name}.api.md: ${update && result.apiReportChanged ? "updated" : "unchanged"}\n`,
    );
  }
}
process.exit(failed > 0 ? 1 : 0);
