/**
 * The server behind the flags the core plans for `auth: { tokenSecret }`: the pod's volumes are stood in for
 * by temporary directories at the planned mount points (the Secret volume holds its planned item, the token
 * file), the planned server arguments are run by the real `start()` on a loopback socket, and an inference
 * is refused without the token (401) and served with it. Same approach as core-server-contract.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { identityModel } from "../../server/testing/onnx-builder";
import { planModelService } from "../../src/plan/model-service";

const TOKEN = "planned-flags-token-0123456789abcdef";
const SHA = "9f2c".padEnd(64, "0");

interface Container {
  name: string;
  args: string[];
  volumeMounts: { name: string; mountPath: string; subPath?: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName: string; items: { key: string; path: string }[] };
}

const plan = planModelService("resnet", {
  model: { name: "identity", uri: "s3://models/identity/1/model.onnx", sha256: SHA },
  auth: { tokenSecret: { name: "resnet-token", key: "api-token" } },
});
const deployment = plan.kubernetesObjects.find((o) => o.kind === "Deployment") as unknown as {
  spec: { template: { spec: { containers: Container[]; volumes: Volume[] } } };
};
const pod = deployment.spec.template.spec;
const server = pod.containers.find((c) => c.name === "server")!;

const scratch = mkdtempSync(join(tmpdir(), "onnxfleet-auth-e2e-"));
const running: RunningServer[] = [];
afterAll(async () => {
  for (const s of running) await s.close().catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
});

/** Stands in for the kubelet: a directory per mounted volume, the Secret's items written as files. */
function mountVolumes(secretData: Record<string, string>): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const mount of server.volumeMounts) {
    if (mount.subPath !== undefined) continue;
    const dir = join(scratch, mount.name);
    mkdirSync(dir, { recursive: true });
    const volume = pod.volumes.find((v) => v.name === mount.name);
    for (const item of volume?.secret?.items ?? [])
      writeFileSync(join(dir, item.path), `${secretData[item.key]}\n`);
    mounts.set(mount.mountPath, dir);
  }
  // The model the init container would have fetched, in the planned repository layout.
  mkdirSync(join(mounts.get("/models")!, "identity", "1"), { recursive: true });
  writeFileSync(join(mounts.get("/models")!, "identity", "1", "model.onnx"), identityModel("FP32", [-1, 4]));
  return mounts;
}

/** The planned arguments with mount paths moved to the stand-ins and the ports to loopback ephemeral ones. */
function localArgs(mounts: Map<string, string>): string[] {
  const args = server.args.map((arg) => {
    for (const [mountPath, dir] of mounts)
      if (arg.startsWith(`${mountPath}/`) || arg === mountPath) return dir + arg.slice(mountPath.length);
    return arg;
  });
  for (const flag of ["--http-port", "--metrics-port"]) args[args.indexOf(flag) + 1] = "0";
  return [...args, "--host", "127.0.0.1"];
}

const infer = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v2/models/identity/infer`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }],
    }),
  });

describe("the server behind the planned auth flags", () => {
  it("plans --auth-token-file at the Secret volume's token file", () => {
    const i = server.args.indexOf("--auth-token-file");
    expect(server.args[i + 1]).toBe("/var/run/secrets/onnxfleet/auth/token");
    expect(pod.volumes.find((v) => v.secret)?.secret).toMatchObject({
      secretName: "resnet-token",
      items: [{ key: "api-token", path: "token" }],
    });
  });

  it("refuses an inference without the token (401) and serves it with the token read from the mounted file", async () => {
    const mounts = mountVolumes({ "api-token": TOKEN });
    const running1 = await start(localArgs(mounts), {}, { logDestination: { write: () => {} } });
    running.push(running1);
    expect((await fetch(`${running1.url}/v2/health/ready`)).status).toBe(200);
    const refused = await infer(running1.url);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/bearer token/) });
    expect((await infer(running1.url, { authorization: "Bearer not-the-token-0123456789" })).status).toBe(
      401,
    );
    const served = await infer(running1.url, { authorization: `Bearer ${TOKEN}` });
    expect(served.status).toBe(200);
    expect(((await served.json()) as { outputs: { data: number[] }[] }).outputs[0]?.data).toEqual([
      1, 2, 3, 4,
    ]);
    await running1.close();
  });
});
