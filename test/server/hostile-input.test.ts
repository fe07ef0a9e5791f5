/**
 * Hostile requests over app.inject: every one gets a 4xx with a `{"error": "..."}` body (no stack trace),
 * nothing is allocated from a declared shape, model names never reach the file system, and no
 * model-control API exists.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { ModelRepository } from "../../server/repository/repository";
import { identityModel } from "../../server/testing/onnx-builder";
import { writeRepository } from "./helpers";

let app: ReturnType<typeof buildApp>;
let repository: ModelRepository;
let root: string;

beforeAll(async () => {
  root = writeRepository({ model: { versions: { 1: identityModel("FP32", ["batch", 3]) } } });
  // A servable model right next to the repository: any name or version used to build a path would find it.
  for (const dir of [join(dirname(root), "outside", "1"), join(root, "model", "1", "nested", "1")]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "model.onnx"), identityModel("FP32", ["batch", 3]));
  }
  repository = new ModelRepository({ root });
  await repository.load();
  app = buildApp({ repository, bodyLimitBytes: 64 * 1024 });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await repository.close();
});

function infer(header: unknown, url = "/v2/models/model/infer") {
  return app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    payload: header as object,
  });
}

function input(fields: Record<string, unknown>) {
  return { inputs: [{ name: "input", datatype: "FP32", shape: [1, 3], data: [1, 2, 3], ...fields }] };
}

/** Asserts a 4xx answer whose body is exactly `{"error": message}` without a stack trace. */
function expectRefused(response: { statusCode: number; body: string }, status: number, message?: RegExp) {
  expect(response.statusCode, response.body).toBe(status);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error).toBe("string");
  expect(response.body).not.toMatch(/\bat .*\(.*:\d+:\d+\)|node_modules|\.ts:\d+/);
  if (message !== undefined) expect(body.error).toMatch(message);
}

describe("shapes and element counts", () => {
  it("refuses negative, fractional, non-numeric and unsafe dimensions", async () => {
    for (const shape of [[-1, 3], [1.5, 3], ["1", 3], [2 ** 53, 3], [null, 3], {}, "1,3"]) {
      expectRefused(await infer(input({ shape })), 400, /"shape" must be an array of non-negative integers/);
    }
  });

  it("refuses a shape whose element count overflows, before allocating anything", async () => {
    for (const shape of [
      [2 ** 30, 2 ** 30, 2 ** 30],
      [2 ** 31, 3],
      Array.from({ length: 32 }, () => 2 ** 20),
    ]) {
      expectRefused(await infer(input({ shape })), 400, /declares more than 2147483647 elements/);
    }
  });

  it("refuses data whose count disagrees with the shape, both ways", async () => {
    expectRefused(await infer(input({ shape: [1, 3], data: [1, 2] })), 400, /needs 3 elements/);
    expectRefused(await infer(input({ shape: [2 ** 20, 3], data: [1, 2, 3] })), 400);
    expectRefused(await infer(input({ shape: [0, 3], data: [1, 2, 3] })), 400);
  });

  it("refuses ranks above the limit", async () => {
    expectRefused(await infer(input({ shape: Array.from({ length: 33 }, () => 1) })), 400, /rank 33/);
  });
});

describe("JSON nesting", () => {
  it("refuses bodies nested deeper than the limit, wherever the nesting is", async () => {
    const deep = (levels: number, inner: string) => "[".repeat(levels) + inner + "]".repeat(levels);
    const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
    const bodies = [
      `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":${deep(5_000, "1")}}]}`,
      `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[${deepObject(5_000)},2,3]}]}`,
      `{"parameters":${deepObject(5_000)},"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[1,2,3]}]}`,
    ];
    for (const payload of bodies) {
      const response = await app.inject({
        method: "POST",
        url: "/v2/models/model/infer",
        headers: { "content-type": "application/json" },
        payload,
      });
      expectRefused(response, 400, /deeper than 64 levels/);
    }
  });

  it("still accepts brackets inside strings", async () => {
    const response = await infer({ id: `\\"${"[[[[".repeat(100)}`, ...input({}) });
    expect(response.statusCode).toBe(200);
  });

  it("answers a leaf of the wrong type with 400, however it is built", async () => {
    const response = await infer(input({ data: [{ a: { b: { c: [1] } } }, 2, 3] }));
    expectRefused(response, 400, /data\[0\] must be a number/);
  });
});

describe("binary tensor extension framing", () => {
  it("refuses bad Inference-Header-Content-Length values and sizes past the body", async () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: "input", datatype: "FP32", shape: [1, 3], parameters: { binary_data_size: 12 } }],
      }),
    );
    const payload = Buffer.concat([header, Buffer.alloc(12)]);
    for (const length of ["-1", "1e3", "abc", " 10", String(payload.length + 1), "99999999999999999999"]) {
      const response = await app.inject({
        method: "POST",
        url: "/v2/models/model/infer",
        headers: { "content-type": "application/octet-stream", "inference-header-content-length": length },
        payload,
      });
      expectRefused(response, 400, /Inference-Header-Content-Length/);
    }
    const tooBig = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "input", datatype: "FP32", shape: [1, 3], parameters: { binary_data_size: 2 ** 40 } },
        ],
      }),
    );
    const response = await app.inject({
      method: "POST",
      url: "/v2/models/model/infer",
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(tooBig.length),
      },
      payload: Buffer.concat([tooBig, Buffer.alloc(12)]),
    });
    expectRefused(response, 400, /runs past the binary section/);
  });
});

describe("inputs and outputs", () => {
  it("refuses duplicate and unknown inputs and unknown or repeated outputs", async () => {
    const one = { name: "input", datatype: "FP32", shape: [1, 3], data: [1, 2, 3] };
    expectRefused(await infer({ inputs: [one, one] }), 400, /more than once/);
    expectRefused(await infer({ inputs: [one, { ...one, name: "extra" }] }), 400, /unexpected input "extra"/);
    expectRefused(await infer({ inputs: [one], outputs: [{ name: "nope" }] }), 400, /unknown output "nope"/);
    expectRefused(
      await infer({ inputs: [one], outputs: [{ name: "output" }, { name: "output" }] }),
      400,
      /requested more than once/,
    );
  });
});

describe("model names and versions from the URL", () => {
  const paths = [
    "/v2/models/..%2Foutside/infer",
    "/v2/models/%2E%2E%2Foutside/infer",
    "/v2/models/%252e%252e%252foutside/infer",
    "/v2/models/..%5Coutside/infer",
    "/v2/models/..%5C..%5Coutside/infer",
    "/v2/models/model%00/infer",
    "/v2/models/model%2F1%2Fnested/infer",
    "/v2/models/model/versions/..%2F1/infer",
    "/v2/models/model/versions/1%2Fnested%2F1/infer",
    "/v2/models/model/versions/1%00/infer",
    "/v2/models/model/versions/01/infer",
    "/v2/models/%2Fetc%2Fpasswd/infer",
    "/v2/models/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/v2/models/..%2Foutside",
    "/v2/models/..%2Foutside/ready",
  ];
  it.each(paths)("%s is looked up only among the loaded models (404)", async (url) => {
    const response = await app.inject({
      method: url.endsWith("/infer") ? "POST" : "GET",
      url,
      headers: { "content-type": "application/json" },
      payload: url.endsWith("/infer") ? JSON.stringify(input({})) : undefined,
    });
    expectRefused(response, 404);
  });

  it("answers an overlong name or broken percent-encoding with a JSON error that does not echo the URL", async () => {
    const long = await app.inject({ method: "GET", url: `/v2/models/${"a".repeat(5_000)}` });
    expectRefused(long, 414, /too long/);
    expect(long.body).not.toContain("aaaa");
    expectRefused(await app.inject({ method: "GET", url: "/v2/models/%E0%A4%A" }), 400, /not valid/);
  });

  it("serves the real model by its name", async () => {
    expect((await infer(input({}))).statusCode).toBe(200);
  });
});

describe("model control API", () => {
  it.each([
    ["POST", "/v2/repository/index"],
    ["POST", "/v2/repository/models/model/load"],
    ["POST", "/v2/repository/models/model/unload"],
    ["POST", "/v2/repository/models/..%2Foutside/load"],
    ["GET", "/v2/repository/index"],
  ])("%s %s does not exist (404)", async (method, url) => {
    const response = await app.inject({
      method: method as "GET" | "POST",
      url,
      headers: { "content-type": "application/json" },
      payload: method === "POST" ? "{}" : undefined,
    });
    expectRefused(response, 404);
  });
});

describe("body limit", () => {
  it("answers 413 with a JSON error for a body over the limit", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v2/models/model/infer",
      headers: { "content-type": "application/json" },
      payload: `{"id":"${"x".repeat(70 * 1024)}"}`,
    });
    expectRefused(response, 413);
  });
});

describe("parameters of protocol extensions this server does not implement", () => {
  it("refuses classification on an output (Triton's classification extension) rather than answer the raw output", async () => {
    const response = await infer({
      ...input({}),
      outputs: [{ name: "output", parameters: { classification: 2 } }],
    });
    expectRefused(
      response,
      400,
      /output "output": parameters\.classification asks for the classification extension/,
    );
  });

  it("refuses shared_memory_region on an input or an output (Triton's shared-memory extension)", async () => {
    const onInput = await infer(
      input({ data: undefined, parameters: { shared_memory_region: "in", shared_memory_byte_size: 12 } }),
    );
    expectRefused(
      onInput,
      400,
      /input "input": parameters\.shared_memory_region asks for the shared-memory extension/,
    );
    const onOutput = await infer({
      ...input({}),
      outputs: [{ name: "output", parameters: { shared_memory_region: "out", shared_memory_byte_size: 12 } }],
    });
    expectRefused(onOutput, 400, /output "output": parameters\.shared_memory_region/);
  });

  it("still ignores parameters it does not know (the protocol lets a server), and GET /v2 lists only binary_tensor_data", async () => {
    const response = await infer({
      ...input({ parameters: { my_custom_parameter: 42 } }),
      parameters: { priority: 1 },
    });
    expect(response.statusCode, response.body).toBe(200);
    const metadata = await app.inject({ method: "GET", url: "/v2" });
    expect(JSON.parse(metadata.body).extensions).toEqual(["binary_tensor_data"]);
  });
});
