// Checks the tarball `npm publish` would upload (run `npm run build` first): packs it, then
//   - publint (package.json fields against the files, strict: warnings fail too),
//   - @arethetypeswrong/cli (every entry point's types resolve, as CommonJS and as ESM, under node10, node16
//     and bundler resolution),
//   - its file list: LICENSE and CHANGELOG.md are in it, no source map (the sources are not shipped), no
//     test file, nothing in dist/ but the build's outputs, no server test-model builder in a public entry point.
//   node scripts/check-package.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "onnxfleet-pack-"));
const problems = [];
try {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" }),
  );
  const tarball = join(dir, packed.filename);
  const files = packed.files.map((file) => file.path);
  for (const wanted of ["LICENSE", "CHANGELOG.md", "README.md", "package.json"]) {
    if (!files.includes(wanted)) problems.push(`the tarball has no ${wanted}`);
  }
  // What the build writes; tests write scratch beside it (dist/doc-check, dist/readme-programs), which
  // package.json's `files` keeps out.
  const BUILD_OUTPUTS = ["dist/src/", "dist/constructs/", "dist/server/", "dist/esm/"];
  for (const file of files) {
    if (file.startsWith("dist/") && !BUILD_OUTPUTS.some((dir) => file.startsWith(dir)))
      problems.push(`${file}: not a build output (test scratch or a report left in dist/)`);
    if (file.endsWith(".map")) problems.push(`${file}: a source map of sources the tarball does not ship`);
    if (/\.test\.(js|ts|d\.ts)$/.test(file)) problems.push(`${file}: a test file`);
  }
  process.stdout.write(`${packed.filename}: ${files.length} files, ${packed.size} bytes packed\n`);

  const run = (label, script, args) => {
    try {
      process.stdout.write(
        execFileSync(process.execPath, [script, ...args], { cwd: root, encoding: "utf8" }),
      );
    } catch (error) {
      process.stdout.write(`${error.stdout ?? ""}${error.stderr ?? ""}`);
      problems.push(`${label} failed (above)`);
    }
  };
  const bin = (pkg, name) => {
    const manifest = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8"));
    return join(
      root,
      "node_modules",
      pkg,
      typeof manifest.bin === "string" ? manifest.bin : manifest.bin[name],
    );
  };
  run("publint", bin("publint", "publint"), ["run", tarball, "--strict"]);
  run("attw", bin("@arethetypeswrong/cli", "attw"), [tarball, "--format", "table-flipped", "--no-emoji"]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (problems.length > 0) {
  process.stderr.write(`the packed package has ${problems.length} problem(s):\n  ${problems.join("\n  ")}\n`);
  process.exit(1);
}
process.stdout.write("packed package: publint, attw and the file list pass\n");
