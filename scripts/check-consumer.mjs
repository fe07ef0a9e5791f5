// A new user's first hour, outside this repository: packs the package (`npm pack`, run `npm run build` first),
// installs the tarball into a fresh program in a temporary directory, reports what `npm install onnxfleet`
// adds, then installs the Pulumi SDKs and TypeScript beside it, type-checks the README's programs with the
// `pulumi new typescript` template's compiler options, and runs them under the exported mocks
// (`onnxfleet/pulumi/testing`): the single-region program through the README's own testing block, the
// multi-region one counting the Route53 health checks, records and alarms it creates.
//
//   npx tsx scripts/check-consumer.mjs                 installs from the npm registry (the npm cache first), as a
//                                                      user would; type-checks with TypeScript 5 and 6
//   npx tsx scripts/check-consumer.mjs --linked-peers  unpacks the tarball into the program's node_modules and
//                                                      links its dependency, the SDKs and TypeScript 6 from this
//                                                      repository's node_modules: no network, part of `npm test`
//
// The SDK versions are this repository's devDependencies. Install scripts of the SDKs are skipped: the only
// one (@pulumi/kubernetes) downloads the Pulumi plugin, which `pulumi up` installs and mocks never need.
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { blockUnder, typescriptBlocks } from "../test/support/markdown-blocks.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const linkedPeers = process.argv.includes("--linked-peers");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const PEERS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@types/node"];

/** A user's test of the multi-region program: its stack config, the mocks, then what it created. */
const MULTI_REGION_TEST = `import * as pulumi from "@pulumi/pulumi";
import { onnxfleetMocks } from "onnxfleet/pulumi/testing";

const types: string[] = [];
pulumi.runtime.setMocks(
  onnxfleetMocks({ newResource: ({ type }) => (types.push(type), undefined) }),
  "consumer",
  "test",
  false,
);
const arn = (region: string) => \`arn:aws:acm:\${region}:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\`;
pulumi.runtime.setAllConfig(
  {
    "consumer:kubeconfig-us-east-1": "{}",
    "consumer:kubeconfig-eu-west-1": "{}",
    "consumer:certificateArn-us-east-1": arn("us-east-1"),
    "consumer:certificateArn-eu-west-1": arn("eu-west-1"),
    "consumer:modelUri": "s3://models/resnet50/3/model.onnx",
    "consumer:modelSha256": "9f2c".padEnd(64, "0"),
    "consumer:authToken": "consumer-token-0123456789abcdef",
    "consumer:clientRanges": JSON.stringify(["203.0.113.0/24"]),
    "consumer:hostedZoneId": "Z0123456789ABCDEFGHIJ",
  },
  ["consumer:authToken", "consumer:kubeconfig-us-east-1", "consumer:kubeconfig-eu-west-1"],
);
let url = "";
import("./multi-region.js").then((program) => program.url.apply((value: string) => (url = value)));
// Every registration has reached the mocks once the event loop is empty.
let printed = false;
process.on("beforeExit", () => {
  if (printed) return;
  printed = true;
  const count = (type: string) => types.filter((t) => t === type).length;
  console.log(
    JSON.stringify({
      healthChecks: count("aws:route53/healthCheck:HealthCheck"),
      records: count("aws:route53/record:Record"),
      alarms: count("aws:cloudwatch/metricAlarm:MetricAlarm"),
      url,
    }),
  );
});
`;

const work = mkdtempSync(join(tmpdir(), "onnxfleet-consumer-"));
const program = join(work, "program");
const log = (line) => process.stdout.write(`${line}\n`);

/** Runs `command` in `cwd`; on failure prints its output and exits 1 naming the step. */
function run(step, command, args, cwd, env = {}) {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}\ncheck:consumer: ${step} failed\n`);
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  }
}

/** Bytes of every file under `dir` (what `du -sb` counts, less directory entries). */
function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

const npmInstall = (args) => [
  "install",
  ...args,
  "--no-audit",
  "--no-fund",
  "--ignore-scripts",
  "--prefer-offline",
];

try {
  const [packed] = JSON.parse(run("npm pack", "npm", ["pack", "--json", "--pack-destination", work], root));
  const tarball = join(work, packed.filename);
  log(`packed ${packed.filename}: ${packed.size} bytes`);

  // A fresh program, as `npm init -y` makes it; the package alone first, to measure what it adds.
  run("mkdir", "mkdir", ["-p", program], work);
  writeFileSync(
    join(program, "package.json"),
    `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true, main: "bin/index.js" }, null, 2)}\n`,
  );
  if (linkedPeers) {
    // No network and no npm cache needed: the tarball unpacked as npm would place it, and its dependency
    // (yaml), the SDKs and the compiler linked from this repository's node_modules. One copy of
    // @pulumi/pulumi serves the program, the package and the SDKs (each resolves it from its real path).
    mkdirSync(join(program, "node_modules"), { recursive: true });
    run("tar (unpack the tarball)", "tar", ["-xzf", tarball, "-C", join(program, "node_modules")], program);
    renameSync(join(program, "node_modules/package"), join(program, "node_modules/onnxfleet"));
    for (const name of [...Object.keys(manifest.dependencies), ...PEERS, "typescript"]) {
      mkdirSync(dirname(join(program, "node_modules", name)), { recursive: true });
      symlinkSync(join(root, "node_modules", name), join(program, "node_modules", name), "dir");
    }
  } else {
    run("npm install <tarball>", "npm", npmInstall([tarball]), program);
    const installed = JSON.parse(run("npm ls", "npm", ["ls", "--all", "--json"], program));
    const names = [];
    const walk = (deps = {}) => {
      for (const [name, dep] of Object.entries(deps)) {
        if (dep.version === undefined) continue; // an optional peer dependency, not installed
        names.push(`${name}@${dep.version}`);
        walk(dep.dependencies);
      }
    };
    walk(installed.dependencies);
    const megabytes = (bytesUnder(join(program, "node_modules")) / 1e6).toFixed(1);
    const onDisk = run("du", "du", ["-sh", "node_modules"], program).split("\t")[0];
    log(
      `npm install onnxfleet adds ${names.length} packages (${names.join(", ")}): ${onDisk} on disk ` +
        `(${megabytes} MB of files)`,
    );
    // The SDKs and the compiler a Pulumi TypeScript program has.
    const versions = PEERS.map((name) => `${name}@${manifest.devDependencies[name]}`);
    run(`npm install ${versions.join(" ")}`, "npm", npmInstall(versions), program);
  }

  // The README's programs, as a user copies them, with the `pulumi new typescript` template's options
  // (TypeScript 6 deprecates moduleResolution "node": the template needs ignoreDeprecations there).
  const readme = typescriptBlocks("README.md", readFileSync(join(root, "README.md"), "utf8"));
  const block = (heading) => blockUnder(readme, "README.md", heading);
  writeFileSync(join(program, "index.ts"), block("A single-region program").code);
  writeFileSync(join(program, "test.ts"), block("Testing your program").code);
  writeFileSync(join(program, "multi-region.ts"), block("The multi-region program").code);
  writeFileSync(join(program, "test-multi-region.ts"), MULTI_REGION_TEST);
  // The `pulumi new typescript` template's options, with TypeScript 6 (this repository's) and with
  // TypeScript 5 (the template's own `typescript@^5`); TypeScript 6 deprecates moduleResolution "node", so
  // the template needs `ignoreDeprecations: "6.0"` there.
  const compilerOptions = {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  };
  const files = ["index.ts", "test.ts", "multi-region.ts", "test-multi-region.ts"];
  const tsc = (typescript, ignoreDeprecations) => {
    const options = ignoreDeprecations ? { ...compilerOptions, ignoreDeprecations } : compilerOptions;
    writeFileSync(
      join(program, "tsconfig.json"),
      `${JSON.stringify({ compilerOptions: options, files }, null, 2)}\n`,
    );
    const tscBin = join(program, "node_modules/typescript/bin/tsc");
    run(
      `tsc ${typescript} (the README's programs against the installed package)`,
      process.execPath,
      [tscBin, "-p", program],
      program,
    );
    const version = JSON.parse(
      readFileSync(join(program, "node_modules/typescript/package.json"), "utf8"),
    ).version;
    log(`type-checked the README's programs with TypeScript ${version}`);
  };
  if (!linkedPeers) {
    run("npm install typescript@^5", "npm", npmInstall(["typescript@^5"]), program);
    tsc("5", undefined);
  }
  if (!linkedPeers) {
    const typescript = `typescript@${manifest.devDependencies.typescript}`;
    run(`npm install ${typescript}`, "npm", npmInstall([typescript]), program);
  }
  tsc("6", "6.0");

  const hostname = run("the README's testing block", process.execPath, ["bin/test.js"], program).trim();
  if (hostname !== "resnet-nlb.elb.mock.amazonaws.com") {
    process.stderr.write(`check:consumer: the testing block printed ${JSON.stringify(hostname)}\n`);
    process.exit(1);
  }
  log(`ran the single-region program under onnxfleet/pulumi/testing: hostname ${hostname}`);

  const counts = JSON.parse(
    run("the multi-region program", process.execPath, ["bin/test-multi-region.js"], program),
  );
  const expected = {
    healthChecks: 2,
    records: 2,
    alarms: 2,
    url: "https://infer.example.com/v2/models/resnet50/infer",
  };
  if (JSON.stringify(counts) !== JSON.stringify(expected)) {
    process.stderr.write(
      `check:consumer: the multi-region program made ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}\n`,
    );
    process.exit(1);
  }
  log(`ran the multi-region program under onnxfleet/pulumi/testing: ${JSON.stringify(counts)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
