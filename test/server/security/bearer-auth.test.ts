import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { bearerTokenOf, registerBearerAuth } from "../../../server/security";

const TOKEN = "s3cr3t-token-0123456789abcdef";

/** A stand-in app with the route shapes of the V2 protocol; the auth hook is what is under test. */
async function buildApp() {
  const app = Fastify();
  registerBearerAuth(app, { token: TOKEN });
  app.get("/v2/health/ready", async () => ({ ready: true }));
  app.get("/v2/health/live", async () => ({ live: true }));
  app.get("/v2/models/:model", async () => ({ name: "m" }));
  app.post("/v2/models/:model/infer", async () => ({ outputs: [] }));
  await app.ready();
  return app;
}

describe("registerBearerAuth", () => {
  it("keeps the health probes open", async () => {
    const app = await buildApp();
    expect((await app.inject({ url: "/v2/health/ready" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v2/health/live" })).statusCode).toBe(200);
  });

  it("answers 401 with a JSON error and WWW-Authenticate without a token", async () => {
    const app = await buildApp();
    const reply = await app.inject({ method: "POST", url: "/v2/models/m/infer", payload: { inputs: [] } });
    expect(reply.statusCode).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe('Bearer realm="onnxfleet"');
    expect(reply.json()).toEqual({ error: expect.stringMatching(/^missing bearer token/) });
  });

  it("answers 401 for a wrong token, another scheme, or the token of a public route in a path trick", async () => {
    const app = await buildApp();
    const attempts = [
      { url: "/v2/models/m", headers: { authorization: `Bearer ${TOKEN}x` } },
      { url: "/v2/models/m", headers: { authorization: `Basic ${TOKEN}` } },
      { url: "/v2/models/m", headers: { authorization: TOKEN } },
      { url: "/v2/health/ready/../../models/m" },
      { url: "/v2/health/ready%2F..%2F..%2Fmodels%2Fm" },
      { url: "/v2/models/unknown-route/extra" },
    ];
    for (const attempt of attempts) {
      const reply = await app.inject({ method: "GET", ...attempt });
      expect(reply.statusCode, attempt.url).toBe(401);
      expect(reply.json()).toHaveProperty("error");
    }
  });

  it("lets the right token through, scheme case-insensitive", async () => {
    const app = await buildApp();
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const reply = await app.inject({
        method: "POST",
        url: "/v2/models/m/infer",
        headers: { authorization: `${scheme} ${TOKEN}` },
        payload: { inputs: [] },
      });
      expect(reply.statusCode).toBe(200);
    }
  });
});

describe("bearerTokenOf", () => {
  it("extracts the token or nothing", () => {
    expect(bearerTokenOf("Bearer abc")).toBe("abc");
    expect(bearerTokenOf("Bearer ")).toBeUndefined();
    expect(bearerTokenOf("Bearer")).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
    expect(bearerTokenOf("Token abc")).toBeUndefined();
  });
});
