/**
 * Who may infer (the bearer token Secret mounted for `--auth-token-file`), what the pods' role may do (a trust
 * policy scoped to one ServiceAccount, the exact S3 objects the fetcher requests, one KMS key) and which
 * image runs (pinned by digest).
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors";
import { planModelPodIdentity } from "../../src/plan/model-pod-identity";
import { AUTH_TOKEN_VALUE_REF, planModelService } from "../../src/plan/model-service";
import { type KubernetesObject, replaceSensitiveRefs } from "../../src/plan/types";
import { SERVER_IMAGE_DIGEST } from "../../src/server-image";
import type { ModelServiceProps } from "../../src/specs/model-service";
import { parseS3Uri, s3ObjectArn } from "../../src/specs/model-uri";
import { cdktfToken, resnetProps as gpuResnetProps, pulumiOutput, SHA_A } from "./support/fixtures";
import type { Json } from "./support/json";

/** The DESIGN.md model on CPU: no GPU pool needed to plan it. */
const resnetProps = { ...gpuResnetProps, resources: { cpu: "2", memory: "8Gi" } };

import { restrictedViolations } from "./support/pod-security-standard";
import { validateAgainstUpstreamSchema } from "./support/schemas";

function problems(props: ModelServiceProps): string[] {
  try {
    planModelService("resnet", props);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path} ${p.reason}`);
  }
  return [];
}

const podOf = (objects: readonly KubernetesObject[]) =>
  (objects.find((o) => o.kind === "Deployment") as unknown as Json).spec.template.spec;
const serverOf = (objects: readonly KubernetesObject[]) =>
  podOf(objects).containers.find((c: Json) => c.name === "server");

describe("auth: the bearer token", () => {
  it("mounts an existing Secret's key as the token file and passes it with --auth-token-file", () => {
    const plan = planModelService("resnet", {
      ...resnetProps,
      auth: { tokenSecret: { name: "tokens", key: "resnet" } },
    });
    const server = serverOf(plan.kubernetesObjects);
    expect(server.args.slice(-2)).toEqual(["--auth-token-file", "/var/run/secrets/onnxfleet/auth/token"]);
    expect(server.volumeMounts).toContainEqual({
      name: "auth-token",
      mountPath: "/var/run/secrets/onnxfleet/auth",
      readOnly: true,
    });
    expect(podOf(plan.kubernetesObjects).volumes).toContainEqual({
      name: "auth-token",
      secret: { secretName: "tokens", items: [{ key: "resnet", path: "token" }], defaultMode: 0o440 },
    });
    expect(plan.kubernetesObjects.some((o) => o.kind === "Secret")).toBe(false);
    for (const object of plan.kubernetesObjects) validateAgainstUpstreamSchema(object);
    expect(restrictedViolations(podOf(plan.kubernetesObjects))).toEqual([]);
  });

  it("creates the Secret from a secret value, holding only a reference the front-end fills", () => {
    for (const value of [pulumiOutput("token"), cdktfToken(3)]) {
      const plan = planModelService("resnet", { ...resnetProps, auth: { tokenSecret: { value } } });
      const secret = plan.kubernetesObjects.find((o) => o.kind === "Secret") as unknown as Json;
      expect(secret).toMatchObject({
        metadata: { name: "resnet-auth", namespace: "default" },
        type: "Opaque",
        stringData: { token: AUTH_TOKEN_VALUE_REF },
      });
      // Created before the Deployment that mounts it; a valid Secret once the front-end fills the value.
      const kinds = plan.kubernetesObjects.map((o) => o.kind);
      expect(kinds.indexOf("Secret")).toBeLessThan(kinds.indexOf("Deployment"));
      validateAgainstUpstreamSchema(replaceSensitiveRefs(secret, () => "x".repeat(32)) as KubernetesObject);
      expect(podOf(plan.kubernetesObjects).volumes).toContainEqual(
        expect.objectContaining({ secret: expect.objectContaining({ secretName: "resnet-auth" }) }),
      );
      expect(JSON.stringify(plan.spec)).not.toContain("__pulumiOutput");
    }
  });

  it("refuses a plain-string token without ever echoing it, and mixed or empty forms", () => {
    const secret = "my-plain-token-0123456789";
    const found = problems({ ...resnetProps, auth: { tokenSecret: { value: secret } } });
    expect(found).toEqual([
      'auth.tokenSecret.value is a plain string, which would sit in the program and its state in clear; pass a secret: pulumi.secret(...) or config.requireSecret("token") (Pulumi), a sensitive variable (CDKTF), or name an existing Secret with { name, key }',
    ]);
    expect(found.join("")).not.toContain(secret);
    expect(
      problems({ ...resnetProps, auth: { tokenSecret: { name: "a", value: pulumiOutput("t") } } as never }),
    ).toEqual(["auth.tokenSecret takes either { name, key? } (an existing Secret) or { value }, not both"]);
    expect(problems({ ...resnetProps, auth: { tokenSecret: {} } as never })).toEqual([
      "auth.tokenSecret.name is required: the name of a Secret holding the token, or give { value }",
    ]);
    expect(problems({ ...resnetProps, auth: "off" as never })).toEqual([
      'auth ("off") must be { tokenSecret: { name, key? } }, { tokenSecret: { value } } or "none"',
    ]);
  });

  it('runs without a token flag with auth "none" or unset', () => {
    for (const auth of ["none" as const, undefined]) {
      const plan = planModelService("resnet", { ...resnetProps, ...(auth ? { auth } : {}) });
      expect(serverOf(plan.kubernetesObjects).args).not.toContain("--auth-token-file");
    }
  });
});

describe("the pods' role", () => {
  const service = planModelService("resnet", { ...resnetProps, namespace: "inference" });

  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html: the session tags Pod Identity sets
  // scope the role to one cluster, namespace and ServiceAccount; aws:SourceAccount to this account.
  it("trusts EKS Pod Identity only for this account, cluster, namespace and ServiceAccount", () => {
    const cluster = pulumiOutput("cluster");
    const [role] = planModelPodIdentity(service, cluster);
    expect(role?.properties.assumeRolePolicy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EksPodIdentityForThisServiceAccountOnly",
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: {
            StringEquals: {
              // The account of the read policy created in the same account, taken from its ARN.
              "aws:SourceAccount": { $ref: "resnet-model-read", attribute: "arn", as: "arnAccountId" },
              "aws:RequestTag/eks-cluster-name": cluster,
              "aws:RequestTag/kubernetes-namespace": "inference",
              "aws:RequestTag/kubernetes-service-account": "resnet",
            },
          },
        },
      ],
    });
  });

  it("reads the object the fetcher requests: the URI parsed as a URL, then percent-decoded", () => {
    // server/fetch/sources/s3.ts: decodeURIComponent(url.hostname), decodeURIComponent(url.pathname.slice(1))
    expect(parseS3Uri("s3://models/resnet%2050/3/model.onnx")).toEqual({
      bucket: "models",
      key: "resnet 50/3/model.onnx",
    });
    expect(parseS3Uri("s3://models/a/./b/../model.onnx?versionId=1")).toEqual({
      bucket: "models",
      key: "a/model.onnx",
    });
    expect(parseS3Uri("s3://models/caf%C3%A9%2Bx.onnx")).toEqual({ bucket: "models", key: "café+x.onnx" });
    expect(parseS3Uri("https://models/x.onnx")).toBeUndefined();
    expect(parseS3Uri("s3://models/")).toBeUndefined();
  });

  it("names exact objects: *, ? and $ in a key are literal, never wildcards", () => {
    expect(s3ObjectArn({ bucket: "models", key: "a*b?c$d.onnx" })).toBe(
      "arn:aws:s3:::models/a${*}b${?}c${$}d.onnx",
    );
    const plan = planModelService("resnet", {
      ...resnetProps,
      model: { name: "resnet50", uri: "s3://models/v%2A/model.onnx", sha256: SHA_A },
    });
    expect(plan.s3ReadAccess?.policyDocument.Statement[0]?.Resource).toEqual([
      "arn:aws:s3:::models/v${*}/model.onnx",
    ]);
  });

  it("grants kms:Decrypt on model.kmsKeyArn only, through S3, and refuses an alias", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const plan = planModelService("resnet", {
      ...resnetProps,
      model: { ...resnetProps.model, kmsKeyArn: key },
    });
    expect(plan.s3ReadAccess?.policyDocument.Statement[1]).toEqual({
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [key],
      Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
    });
    expect(
      problems({
        ...resnetProps,
        model: { ...resnetProps.model, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/models" },
      }),
    ).toEqual([
      'model.kmsKeyArn ("arn:aws:kms:eu-west-1:123456789012:alias/models") must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)',
    ]);
  });
});

describe("the image", () => {
  it("defaults to the release's sha256 digest (one constant), and still accepts a tag-only override", () => {
    expect(SERVER_IMAGE_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    const image = serverOf(planModelService("resnet", resnetProps).kubernetesObjects).image;
    expect(image.endsWith(`@${SERVER_IMAGE_DIGEST}`)).toBe(true);
    const tagged = planModelService("resnet", {
      ...resnetProps,
      image: "registry.example.com/onnxfleet-server:1.2.3",
    });
    expect(serverOf(tagged.kubernetesObjects).image).toBe("registry.example.com/onnxfleet-server:1.2.3");
    expect(problems({ ...resnetProps, image: "repo@sha256:abc" })).toHaveLength(1);
  });
});
