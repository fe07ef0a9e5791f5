// Writes the package.json the server image installs: the packages the built server requires at run time
// (bare `require("...")` in dist/server and dist/src, found in the compiled JavaScript), each at the range
// package.json gives it in `dependencies` or `peerDependencies`, and nothing else. The published package
// lists the server's runtime as optional peer dependencies so that `npm install onnxfleet` does not install
// it for programs that only use the constructs (README.md, "What the install adds").
//   node scripts/image/server-manifest.mjs [ROOT] > package.json   (ROOT holds package.json and dist/)
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Every .js file under `dir`, except the server's test-model builder (server/testing: tests only). */
function* javascriptFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "testing") yield* javascriptFiles(path);
    } else if (entry.name.endsWith(".js")) yield path;
  }
}

/** The package a bare specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

const builtins = new Set(builtinModules);
const required = new Set();
for (const dir of ["dist/server", "dist/src"]) {
  for (const file of javascriptFiles(join(root, dir))) {
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
      if (specifier.startsWith("node:") || builtins.has(specifier)) continue;
      required.add(packageOf(specifier));
    }
  }
}

const declared = { ...manifest.peerDependencies, ...manifest.dependencies };
const missing = [...required].filter((name) => declared[name] === undefined);
if (missing.length > 0) {
  process.stderr.write(
    `the built server requires ${missing.join(", ")}, which package.json lists in neither dependencies nor peerDependencies\n`,
  );
  process.exit(1);
}
const dependencies = Object.fromEntries([...required].sort().map((name) => [name, declared[name]]));
const image = {
  name: manifest.name,
  version: manifest.version,
  private: true,
  license: manifest.license,
  dependencies,
};
process.stdout.write(`${JSON.stringify(image, null, 2)}\n`);
