// Generates schema/topology.schema.json (the JSON Schema of `onnxfleet render` topology files) from the
// TopologyFile type in src/render.ts. Run `node scripts/gen-schema.mjs` after changing any props;
// `node scripts/gen-schema.mjs --check` exits 1 when the committed schema is out of date (tests run it).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";

const root = fileURLToPath(new URL("..", import.meta.url));
const output = `${root}schema/topology.schema.json`;

/** The schema as JSON text (deterministic; the committed file is the same JSON, formatted by biome). */
export function generateTopologySchema() {
  const generator = createGenerator({
    path: `${root}src/render.ts`,
    tsconfig: `${root}tsconfig.json`,
    type: "TopologyFile",
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    sortProps: true,
    strictTuples: false,
    skipTypeCheck: true,
    additionalProperties: false,
  });
  const schema = {
    $id: "https://unpkg.com/onnxfleet/schema/topology.schema.json",
    title: "onnxfleet topology file",
    description:
      "GpuNodePools, ModelServices and AutoscaledEndpoints by name, each with its TypeScript props " +
      "(`onnxfleet render FILE`).",
    ...forFiles(generator.createSchema("TopologyFile")),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Adapts the generated schema to files, which hold plain values only: every `Lazy<T>` (a plain value or a
 * Pulumi Output / CDKTF token) becomes `T`, and descriptive defaults (`@default - none`) move from
 * `default`, where editors would offer them as values, into the description.
 */
function forFiles(schema) {
  const definitions = schema.definitions;
  const isLazy = (name) => name.startsWith("Lazy<") || name === "Unresolved";
  const plainBranch = (definition) => {
    const branches = definition.anyOf.filter((branch) => branch.$ref !== "#/definitions/Unresolved");
    return branches.length === 1 ? branches[0] : { anyOf: branches };
  };
  const rewrite = (node) => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== "object") return node;
    let result = {};
    for (const [key, value] of Object.entries(node)) result[key] = rewrite(value);
    const target = typeof result.$ref === "string" ? decodeURIComponent(result.$ref.slice(14)) : undefined;
    if (target?.startsWith("Lazy<")) {
      const { $ref, ...siblings } = result;
      if (!definitions[target]) throw new Error(`no definition ${target}`);
      result = { ...rewrite(plainBranch(definitions[target])), ...siblings };
      if (siblings.description === undefined) delete result.description;
    }
    if (Array.isArray(result.anyOf) && result.anyOf.some((b) => b.$ref === "#/definitions/Unresolved")) {
      const { anyOf, ...rest } = result;
      result = { ...plainBranch({ anyOf }), ...rest };
    }
    if (typeof result.default === "string" && result.default.startsWith("- ")) {
      const text = result.default.slice(2).replace(/\s*\n\s*/g, " ");
      result.description = `${result.description ?? ""}${result.description ? " " : ""}Default: ${text}.`;
      delete result.default;
    }
    return result;
  };
  const out = rewrite(schema);
  for (const name of Object.keys(out.definitions)) if (isLazy(name)) delete out.definitions[name];
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generateTopologySchema();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(output, "utf8");
    } catch {}
    if (current === "" || JSON.stringify(JSON.parse(current)) !== JSON.stringify(JSON.parse(text))) {
      process.stderr.write("schema/topology.schema.json is out of date: run node scripts/gen-schema.mjs\n");
      process.exit(1);
    }
  } else {
    writeFileSync(output, text);
    // Formatted like every other file of the repository, so `biome check` stays clean.
    execFileSync(`${root}node_modules/.bin/biome`, ["format", "--write", output], { stdio: "ignore" });
    process.stdout.write(`wrote ${output}\n`);
  }
}
