/**
 * Test harness for the Pulumi front-end: runs programs under Pulumi's own `runtime.setMocks` and records
 * every resource registration (components, custom resources and providers) with its type, name, inputs,
 * parent URN and provider reference.
 *
 * Pulumi's mock `newResource` hook receives no parent, so the harness also wraps the mock monitor's
 * `registerResource` (the RPC the SDK sends for every resource) to read the parent URN from the request.
 * Mocks are per-process global: vitest runs each test file in its own fork, and each file calls
 * {@link recordResources} once.
 */
import * as pulumi from "@pulumi/pulumi";
import { onnxfleetMocks } from "../../constructs/pulumi/testing";

export { MOCK_ACCOUNT_ID } from "../../constructs/pulumi/testing";

/** One resource the program registered. */
export interface RecordedResource {
  /** Pulumi type token, e.g. `aws:eks/nodeGroup:NodeGroup` or `onnxfleet:index:GpuNodePool`. */
  readonly type: string;
  /** Logical name (the first constructor argument). */
  readonly name: string;
  /** Inputs as the engine received them (Outputs resolved). */
  readonly inputs: Record<string, unknown>;
  /** True for a custom (provider-managed) resource, false for a component. */
  readonly custom: boolean;
  /** Provider reference `URN::id`, or "" for the default provider and for components. */
  readonly provider: string;
  /** The resource's URN. */
  urn: string;
  /** URN of the parent, or "" at the top of the program. */
  parent: string;
  /** URNs this resource depends on (explicit `dependsOn` and references in its inputs). */
  dependencies: string[];
  /** Property paths in `ignoreChanges`. */
  ignoreChanges: string[];
  /** The `customTimeouts` option as the engine received it ("" where unset). */
  customTimeouts: { create: string; update: string; delete: string };
}

/** What a test reads after running a program. */
export interface Recording {
  /** Every registration so far, in registration order. */
  readonly resources: RecordedResource[];
  /** Every invoke (data source call) so far. */
  readonly calls: pulumi.runtime.MockCallArgs[];
  /** Waits until every pending registration has reached the mock engine. */
  settle(): Promise<void>;
  /** Resources of one type token. */
  ofType(type: string): RecordedResource[];
  /** The one resource with this type and name; throws listing what exists otherwise. */
  get(type: string, name: string): RecordedResource;
  /** The resources whose parent is `parent` (a recorded resource or a URN). */
  childrenOf(parent: RecordedResource | string): RecordedResource[];
  /** Clears the recorded resources (between tests). */
  reset(): void;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: unknown, response?: RegisterResponse) => void;
interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

/**
 * Installs Pulumi mocks that record every resource; call once per test file, before creating resources.
 * @param project the Pulumi project name (`pulumi.Config()` reads `<project>:<key>`).
 */
export function recordResources(project = "project"): Recording {
  const resources: RecordedResource[] = [];
  const calls: pulumi.runtime.MockCallArgs[] = [];
  const mocks = onnxfleetMocks();
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          custom: args.custom ?? false,
          provider: args.provider ?? "",
          urn: "",
          parent: "",
          dependencies: [],
          ignoreChanges: [],
          customTimeouts: { create: "", update: "", delete: "" },
        });
        return mocks.newResource(args);
      },
      call(args) {
        calls.push(args);
        return mocks.call(args);
      },
    },
    project,
    "stack",
    false,
  );

  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (!err && response) {
        const record = resources.find(
          (r) => r.urn === "" && r.type === req.getType() && r.name === req.getName(),
        );
        if (record) {
          record.urn = response.getUrn();
          record.parent = req.getParent();
          record.dependencies = req.getDependenciesList();
          record.ignoreChanges = req.getIgnorechangesList();
          const timeouts = req.getCustomtimeouts();
          if (timeouts)
            record.customTimeouts = {
              create: timeouts.getCreate(),
              update: timeouts.getUpdate(),
              delete: timeouts.getDelete(),
            };
        }
      }
      callback(err, response);
    });

  const recording: Recording = {
    resources,
    calls,
    async settle() {
      // waitForRPCs is exported by the SDK's runtime (marked internal): it resolves once every resource
      // registration the program started, including those still waiting on their inputs, has completed.
      const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
      if (typeof waitForRPCs !== "function") throw new Error("@pulumi/pulumi no longer exports waitForRPCs");
      await waitForRPCs();
    },
    ofType: (type) => resources.filter((r) => r.type === type),
    get(type, name) {
      const found = resources.filter((r) => r.type === type && r.name === name);
      if (found.length !== 1) {
        const known = resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
        throw new Error(`expected one ${type} named ${name}, found ${found.length}; recorded:\n  ${known}`);
      }
      return found[0] as RecordedResource;
    },
    childrenOf(parent) {
      const urn = typeof parent === "string" ? parent : parent.urn;
      return resources.filter((r) => r.parent === urn);
    },
    reset() {
      resources.length = 0;
      calls.length = 0;
    },
  };
  return recording;
}

/** The value of a Pulumi Output (or plain value) once resolved under mocks. */
export function resolved<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}
