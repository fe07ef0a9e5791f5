/**
 * Refuses ONNX files whose tensors point at external data outside their own directory. Reads the model
 * with onnx-proto and checks every tensor's `external_data` `location`: initializers, sparse initializers,
 * tensor attributes, and subgraphs, recursively.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { onnx } from "onnx-proto";
import { RepositoryError } from "./errors";

function collectLocations(graph: onnx.IGraphProto | null | undefined, out: string[]): void {
  if (!graph) return;
  const tensors: (onnx.ITensorProto | null | undefined)[] = [...(graph.initializer ?? [])];
  for (const sparse of graph.sparseInitializer ?? []) tensors.push(sparse.values, sparse.indices);
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) {
      tensors.push(attribute.t, ...(attribute.tensors ?? []));
      collectLocations(attribute.g, out);
      for (const subgraph of attribute.graphs ?? []) collectLocations(subgraph, out);
    }
  }
  for (const tensor of tensors) {
    for (const entry of tensor?.externalData ?? []) {
      if (entry.key === "location") out.push(entry.value ?? "");
    }
  }
}

/** Whether `child` is `parent` or inside it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The error for a model file that cannot be read: "permission denied" says so. */
export function unreadableModel(modelPath: string, error: unknown): RepositoryError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") {
    return new RepositoryError(
      `${modelPath}: permission denied: the server (uid ${process.getuid?.() ?? "?"}) cannot read the model file; make it readable`,
    );
  }
  return new RepositoryError(`${modelPath}: cannot read the model file (${(error as Error).message})`);
}

/** Throws {@link RepositoryError} when a tensor of the model at `modelPath` stores data outside `versionDir`. */
export function checkExternalData(modelPath: string, versionDir: string): void {
  let bytes: Buffer;
  try {
    bytes = readFileSync(modelPath);
  } catch (error) {
    throw unreadableModel(modelPath, error);
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new RepositoryError(`${modelPath}: not a valid ONNX model (${(error as Error).message})`);
  }
  const locations: string[] = [];
  collectLocations(model.graph, locations);
  const realDir = realpathSync(versionDir);
  for (const location of locations) {
    const target = resolve(realDir, location);
    const real = existsSync(target) ? realpathSync(target) : target;
    if (location === "" || isAbsolute(location) || !isInside(realDir, target) || !isInside(realDir, real)) {
      throw new RepositoryError(
        `${modelPath}: external data location "${location}" leaves the model's directory ${versionDir}; ` +
          `external data files must sit beside model.onnx`,
      );
    }
  }
}
