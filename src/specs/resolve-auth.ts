/**
 * The `auth` and `model.kmsKeyArn` props of a ModelService: who may infer, and which KMS key the pods may
 * decrypt the model with. The token itself never enters the spec: a created Secret's value stays with the
 * front-end, which fills the planned Secret's {@link SensitiveRef}.
 */
import { isUnresolved, type Lazy } from "../lazy";
import { authTokenSecretName } from "../naming";
import { show, type Validator } from "../validate";
import { checkDns1123Subdomain, checkKnownKeys, propNames } from "./common";
import {
  AUTH_TOKEN_SECRET_KEY,
  type AuthProps,
  type CreatedTokenSecretProps,
  type ExistingTokenSecretProps,
  type ModelServiceProps,
  NO_AUTH,
} from "./model-service";

/** A validated `auth`: not given, opted out, or a bearer token read from a Secret. */
export type AuthSpec =
  | { readonly type: "unset" }
  | { readonly type: "none" }
  | {
      readonly type: "token";
      /** The Secret holding the token: the user's, or the one the plan creates. */
      readonly secretName: Lazy<string>;
      readonly secretKey: string;
      /** True when the plan creates the Secret from the value the user gave the front-end. */
      readonly createdSecret: boolean;
    };

const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Validates `props.auth` of the ModelService `name`. */
export function resolveAuth(check: Validator, name: string, auth: AuthProps | undefined): AuthSpec {
  if (auth === undefined) return { type: "unset" };
  if (auth === NO_AUTH) return { type: "none" };
  if (auth === null || typeof auth !== "object" || auth.tokenSecret === undefined) {
    check.add(
      "auth",
      `(${show(auth)}) must be { tokenSecret: { name, key? } }, { tokenSecret: { value } } or "none"`,
    );
    return { type: "unset" };
  }
  checkKnownKeys(check, "auth", auth, propNames<Exclude<AuthProps, typeof NO_AUTH>>({ tokenSecret: true }));
  const secret = auth.tokenSecret as {
    readonly name?: ExistingTokenSecretProps["name"];
    readonly key?: ExistingTokenSecretProps["key"];
    readonly value?: CreatedTokenSecretProps["value"];
  };
  checkKnownKeys(check, "auth.tokenSecret", secret, ["name", "key", "value"]);
  if (secret.value !== undefined) {
    if (secret.name !== undefined || secret.key !== undefined)
      check.add(
        "auth.tokenSecret",
        "takes either { name, key? } (an existing Secret) or { value }, not both",
      );
    // The value is never shown in a message: it is a secret even when given wrongly.
    check.that(
      isUnresolved(secret.value),
      "auth.tokenSecret.value",
      "is a plain string, which would sit in the program and its state in clear; pass a secret: " +
        'pulumi.secret(...) or config.requireSecret("token") (Pulumi), a sensitive variable (CDKTF), or name ' +
        "an existing Secret with { name, key }",
    );
    return {
      type: "token",
      secretName: authTokenSecretName(name),
      secretKey: AUTH_TOKEN_SECRET_KEY,
      createdSecret: true,
    };
  }
  if (secret.name === undefined) {
    check.add(
      "auth.tokenSecret.name",
      "is required: the name of a Secret holding the token, or give { value }",
    );
    return { type: "unset" };
  }
  checkDns1123Subdomain(check, "auth.tokenSecret.name", secret.name);
  const key = secret.key ?? AUTH_TOKEN_SECRET_KEY;
  check.that(
    typeof key === "string" && SECRET_KEY.test(key),
    "auth.tokenSecret.key",
    `(${show(key)}) must be a Secret key: letters, digits, "-", "_" and "."`,
  );
  return { type: "token", secretName: secret.name, secretKey: key, createdSecret: false };
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/** Validates `props.model.kmsKeyArn`: one KMS key ARN (an alias would not scope `kms:Decrypt` to one key). */
export function resolveKmsKeyArn(check: Validator, props: ModelServiceProps): string | undefined {
  const arn = (props.model as { kmsKeyArn?: unknown } | undefined)?.kmsKeyArn;
  if (arn === undefined) return undefined;
  check.that(
    typeof arn === "string" && KMS_KEY_ARN.test(arn),
    "model.kmsKeyArn",
    `(${show(arn)}) must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)`,
  );
  return typeof arn === "string" ? arn : undefined;
}
