import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { ModelRepository } from "../../server/repository/repository";
import { addModel, identityModel, multiIoModel } from "../../server/testing/onnx-builder";
import { SERVER_VERSION } from "../../server/version";
import { startTestServer, type TestServer, writeRepository } from "./helpers";

describe("Open Inference Protocol routes", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      versioned: {
        versions: {
          1: identityModel("FP32", [2]),
          2: identityModel("INT32", [2]),
          3: identityModel("FP64", [2]),
        },
        config: { versionPolicy: { latest: 2 } },
      },
      multi: { versions: { 1: multiIoModel() } },
    });
  });
  afterAll(() => server.close());

  it("GET /v2 names the server, its version (package.json's) and the extensions", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v2" });
    expect(response.statusCode).toBe(200);
    const packageVersion = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ).version;
    expect(SERVER_VERSION).toBe(packageVersion);
    expect(response.json()).toEqual({
      name: "onnxfleet",
      version: packageVersion,
      extensions: ["binary_tensor_data"],
    });
  });

  it("GET /v2/health/live and /v2/health/ready answer 200 once loaded", async () => {
    expect((await server.app.inject({ method: "GET", url: "/v2/health/live" })).json()).toEqual({
      live: true,
    });
    const ready = await server.app.inject({ method: "GET", url: "/v2/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true });
  });

  it("model metadata: the served versions, platform, and the highest version's signature by default", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v2/models/versioned" });
    expect(response.json()).toEqual({
      name: "versioned",
      versions: ["2", "3"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "input", datatype: "FP64", shape: [2] }],
      outputs: [{ name: "output", datatype: "FP64", shape: [2] }],
    });
    const v2 = await server.app.inject({ method: "GET", url: "/v2/models/versioned/versions/2" });
    expect(v2.json().inputs).toEqual([{ name: "input", datatype: "INT32", shape: [2] }]);
  });

  it("a version on disk but outside the policy is 404", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v2/models/versioned/versions/1" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'model "versioned" version 1 is not served' });
    const infer = await server.app.inject({
      method: "POST",
      url: "/v2/models/versioned/versions/1/infer",
      payload: { inputs: [{ name: "input", datatype: "FP32", shape: [2], data: [1, 2] }] },
    });
    expect(infer.statusCode).toBe(404);
  });

  it("model and version readiness", async () => {
    const model = await server.app.inject({ method: "GET", url: "/v2/models/versioned/ready" });
    expect(model.statusCode).toBe(200);
    expect(model.json()).toEqual({ name: "versioned", version: "3", ready: true });
    const version = await server.app.inject({ method: "GET", url: "/v2/models/versioned/versions/2/ready" });
    expect(version.json()).toEqual({ name: "versioned", version: "2", ready: true });
    expect((await server.app.inject({ method: "GET", url: "/v2/models/ghost/ready" })).statusCode).toBe(404);
  });

  it("inference on an explicit version uses that version's model", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/versioned/versions/2/infer",
      payload: { inputs: [{ name: "input", datatype: "INT32", shape: [2], data: [7, -7] }] },
    });
    expect(response.json()).toMatchObject({
      model_version: "2",
      outputs: [{ datatype: "INT32", data: [7, -7] }],
    });
  });

  it("multiple inputs and outputs; `outputs` selects which return, in the order asked", async () => {
    const inputs = [
      { name: "flag", datatype: "BOOL", shape: [2], data: [true, false] },
      { name: "a", datatype: "FP32", shape: [1, 2], data: [5, 1] },
      { name: "b", datatype: "FP32", shape: [1, 2], data: [2, 3], parameters: { note: "accepted" } },
    ];
    const all = await server.app.inject({
      method: "POST",
      url: "/v2/models/multi/infer",
      payload: { inputs },
    });
    expect(all.json().outputs.map((output: { name: string }) => output.name)).toEqual([
      "sum",
      "difference",
      "flag_out",
    ]);
    const some = await server.app.inject({
      method: "POST",
      url: "/v2/models/multi/infer",
      payload: {
        inputs,
        outputs: [{ name: "flag_out" }, { name: "difference" }],
        parameters: { priority: 1 },
      },
    });
    expect(some.statusCode).toBe(200);
    expect(some.json().outputs).toEqual([
      { name: "flag_out", datatype: "BOOL", shape: [2], data: [true, false] },
      { name: "difference", datatype: "FP32", shape: [1, 2], data: [3, -2] },
    ]);
  });

  it("unknown routes and methods answer 404 JSON", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v1/models?x=1" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "no route GET /v1/models" });
    expect((await server.app.inject({ method: "DELETE", url: "/v2/models/multi" })).statusCode).toBe(404);
  });
});

describe("readiness while models load", () => {
  it("GIVEN a repository not yet loaded THEN ready is 503 and live is 200; after load() ready is 200", async () => {
    const repository = new ModelRepository({
      root: writeRepository({ add: { versions: { 1: addModel("FP32") } } }),
    });
    const app = buildApp({ repository });
    try {
      expect((await app.inject({ method: "GET", url: "/v2/health/live" })).statusCode).toBe(200);
      const notReady = await app.inject({ method: "GET", url: "/v2/health/ready" });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toEqual({ ready: false });
      expect((await app.inject({ method: "GET", url: "/v2/models/add/ready" })).statusCode).toBe(503);
      const infer = await app.inject({
        method: "POST",
        url: "/v2/models/add/infer",
        payload: { inputs: [] },
      });
      expect(infer.statusCode).toBe(503);
      expect(infer.json()).toEqual({ error: 'model "add" version 1 is not ready (loading)' });
      await repository.load();
      expect((await app.inject({ method: "GET", url: "/v2/health/ready" })).statusCode).toBe(200);
      expect((await app.inject({ method: "GET", url: "/v2/models/add/ready" })).statusCode).toBe(200);
    } finally {
      await app.close();
      await repository.close();
    }
  });
});
