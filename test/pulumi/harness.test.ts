import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { recordResources, resolved } from "./harness";

const recording = recordResources();

class Box extends pulumi.ComponentResource {
  readonly account: k8s.core.v1.ServiceAccount;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Box", name, {}, opts);
    this.account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name } }, { parent: this });
    this.registerOutputs({});
  }
}

describe("the mock harness", () => {
  it("records components, children, parents and providers", async () => {
    const provider = new k8s.Provider("k8s-eu", { kubeconfig: "{}" });
    const box = new Box("box", { providers: { kubernetes: provider } });
    await recording.settle();
    const component = recording.get("test:index:Box", "box");
    expect(component.custom).toBe(false);
    const account = recording.get("kubernetes:core/v1:ServiceAccount", "box-sa");
    expect(account.parent).toBe(component.urn);
    expect(account.provider.startsWith(await resolved(provider.urn))).toBe(true);
    expect(account.inputs).toMatchObject({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "box" },
    });
    expect(await resolved(box.account.metadata.name)).toBe("box");
  });
});
