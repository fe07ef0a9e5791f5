// Writes dashboards/onnxfleet-model-service.json, the Grafana dashboard for import by hand (Dashboards >
// New > Import), from the same builder that plans each ModelService's dashboard ConfigMap. Run
// `npm run build && npm run dashboards` after changing src/plan/grafana-dashboard.ts; a test checks that the
// committed file equals the generated one.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const { genericModelServiceDashboard } = require(`${root}dist/src/plan/grafana-dashboard.js`);

const output = `${root}dashboards/onnxfleet-model-service.json`;
mkdirSync(`${root}dashboards`, { recursive: true });
writeFileSync(output, `${JSON.stringify(genericModelServiceDashboard(), null, 2)}\n`);
execFileSync(`${root}node_modules/.bin/biome`, ["format", "--write", output], { stdio: "inherit" });
console.log(`wrote ${output}`);
