/**
 * Reading a topology file for a CLI command: the text, parsed, with every `capacity.profile` path made
 * relative to the file's directory (the file names its profiles the way a user reads it).
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { TopologyFile } from "../render";

/** `topology` with each endpoint's string `capacity.profile` resolved against `baseDir`. */
export function resolveProfilePaths(topology: TopologyFile, baseDir: string): TopologyFile {
  const endpoints = topology.autoscaledEndpoints;
  if (endpoints === null || typeof endpoints !== "object") return topology;
  const resolved = Object.fromEntries(
    Object.entries(endpoints).map(([name, props]) => {
      const profile = props?.capacity?.profile;
      if (typeof profile !== "string" || isAbsolute(profile)) return [name, props];
      return [name, { ...props, capacity: { ...props.capacity!, profile: resolve(baseDir, profile) } }];
    }),
  );
  return { ...topology, autoscaledEndpoints: resolved };
}

/** The directory relative profile paths of `file` resolve against (`-`: the working directory). */
export function topologyBaseDir(file: string): string {
  return file === "-" ? process.cwd() : dirname(resolve(file));
}
