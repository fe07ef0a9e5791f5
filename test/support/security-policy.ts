/**
 * Policy as code over planned or created objects, whichever front-end made them: Kubernetes objects (plain
 * JSON) and AWS resources (type + properties). Each rule returns the violations it finds, as sentences naming
 * the object; an empty list means the objects pass. Used over the core's plans, Pulumi programs under mocks
 * and `onnxfleet render` output (and CDKTF synth once it exists).
 */

/** A Kubernetes object as planned, rendered or created. */
export interface PolicyKubernetesObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly annotations?: Readonly<Record<string, unknown>> };
  readonly [field: string]: unknown;
}

/** An AWS resource: its type (`aws:iam:Role`, or Pulumi's `aws:iam/role:Role`) and its properties. */
export interface PolicyCloudResource {
  readonly type: string;
  readonly name: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Everything one deployment would create, and the secret values it was given. */
export interface PolicySubject {
  readonly kubernetesObjects: readonly PolicyKubernetesObject[];
  readonly cloudResources: readonly PolicyCloudResource[];
}

const A = "service.beta.kubernetes.io/aws-load-balancer-";
const OPT_OUTS = "onnxfleet.dev/opt-outs";
const POD_IDENTITY_CONDITIONS = [
  "aws:SourceAccount",
  "aws:RequestTag/eks-cluster-name",
  "aws:RequestTag/kubernetes-namespace",
  "aws:RequestTag/kubernetes-service-account",
];

const nameOf = (o: PolicyKubernetesObject) => `${String(o.kind)} ${String(o.metadata?.name)}`;
const isWholeInternet = (cidr: unknown) => typeof cidr === "string" && /\/0$/.test(cidr);
const optOutsOf = (o: PolicyKubernetesObject) =>
  String(o.metadata?.annotations?.[OPT_OUTS] ?? "")
    .split(",")
    .filter(Boolean);
const asDocument = (policy: unknown): Record<string, unknown> =>
  (typeof policy === "string" ? JSON.parse(policy) : policy) as Record<string, unknown>;
const statementsOf = (policy: unknown) =>
  (asDocument(policy).Statement as Record<string, unknown>[] | undefined) ?? [];
const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** No ingress from `0.0.0.0/0` (NetworkPolicy ipBlock, load balancer source ranges) without the opt-out. */
export function wholeInternetIngress(subject: PolicySubject): string[] {
  const found: string[] = [];
  for (const o of subject.kubernetesObjects) {
    if (o.kind === "NetworkPolicy") {
      const ingress = ((o.spec as { ingress?: { from?: { ipBlock?: { cidr?: unknown } }[] }[] })?.ingress ??
        []) as { from?: { ipBlock?: { cidr?: unknown } }[] }[];
      for (const rule of ingress)
        for (const from of rule.from ?? [])
          if (isWholeInternet(from.ipBlock?.cidr))
            found.push(`${nameOf(o)} admits ${String(from.ipBlock?.cidr)}`);
    }
    if (o.kind === "Service") {
      const ranges = (
        (o.spec as { loadBalancerSourceRanges?: unknown[] })?.loadBalancerSourceRanges ?? []
      ).filter(isWholeInternet);
      const isLoadBalancer = (o.spec as { type?: unknown })?.type === "LoadBalancer";
      if (
        isLoadBalancer &&
        (o.spec as { loadBalancerSourceRanges?: unknown })?.loadBalancerSourceRanges === undefined
      )
        found.push(`${nameOf(o)} sets no loadBalancerSourceRanges (the controller would admit 0.0.0.0/0)`);
      if (ranges.length > 0 && !optOutsOf(o).includes("sourceRanges"))
        found.push(`${nameOf(o)} admits ${ranges.join(", ")} without the sourceRanges opt-out`);
    }
  }
  return found;
}

/** The pods a Service selects run with `--auth-token-file`, when some Deployment's pods match its selector. */
function serviceRequiresToken(
  service: PolicyKubernetesObject,
  objects: readonly PolicyKubernetesObject[],
): boolean {
  const selector = ((service.spec as { selector?: Record<string, string> })?.selector ?? {}) as Record<
    string,
    string
  >;
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const selected = deployments.filter((d) => {
    const labels = ((d.spec as { template?: { metadata?: { labels?: Record<string, string> } } })?.template
      ?.metadata?.labels ?? {}) as Record<string, string>;
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
  if (selected.length === 0) return false;
  return selected.every((d) => {
    const containers = ((
      d.spec as { template?: { spec?: { containers?: { name: string; args?: string[] }[] } } }
    )?.template?.spec?.containers ?? []) as { name: string; args?: string[] }[];
    return containers.some((c) => c.name === "server" && (c.args ?? []).includes("--auth-token-file"));
  });
}

/** Every internet-facing load balancer terminates TLS and fronts token-protected pods, unless opted out. */
export function internetFacingWithoutAuthOrTls(subject: PolicySubject): string[] {
  const found: string[] = [];
  for (const o of subject.kubernetesObjects) {
    if (o.kind !== "Service" || o.metadata?.annotations?.[`${A}scheme`] !== "internet-facing") continue;
    const optedOut = optOutsOf(o);
    const annotations = o.metadata?.annotations ?? {};
    const tlsOk =
      typeof annotations[`${A}ssl-cert`] !== "undefined" &&
      /^ELBSecurityPolicy-TLS13-/.test(String(annotations[`${A}ssl-negotiation-policy`]));
    if (!tlsOk && !optedOut.includes("tls")) found.push(`${nameOf(o)} is internet-facing without TLS 1.3`);
    if (!optedOut.includes("auth") && !serviceRequiresToken(o, subject.kubernetesObjects))
      found.push(`${nameOf(o)} is internet-facing in front of pods that take no bearer token`);
  }
  return found;
}

const isRole = (r: PolicyCloudResource) => /^aws:iam(:|\/role:)Role$/.test(r.type);
const isPolicy = (r: PolicyCloudResource) => /^aws:iam(:|\/policy:)Policy$/.test(r.type);

/** Every IAM trust policy names one service principal and, for EKS Pod Identity, all four scoping conditions. */
export function unscopedTrustPolicies(subject: PolicySubject): string[] {
  const found: string[] = [];
  for (const role of subject.cloudResources.filter(isRole)) {
    for (const statement of statementsOf(role.properties.assumeRolePolicy)) {
      const principal = statement.Principal as { Service?: unknown } | string | undefined;
      const services = typeof principal === "object" ? list(principal.Service) : [];
      if (services.length !== 1) {
        found.push(`${role.name} trusts ${JSON.stringify(principal)}, not exactly one service principal`);
        continue;
      }
      if (services[0] === "pods.eks.amazonaws.com") {
        const equals = ((statement.Condition as { StringEquals?: Record<string, unknown> })?.StringEquals ??
          {}) as Record<string, unknown>;
        const missing = POD_IDENTITY_CONDITIONS.filter(
          (key) => equals[key] === undefined || equals[key] === "",
        );
        if (missing.length > 0)
          found.push(`${role.name} trusts EKS Pod Identity without ${missing.join(", ")}`);
      } else if (
        services[0] !== "ec2.amazonaws.com" ||
        JSON.stringify(list(statement.Action)) !== '["sts:AssumeRole"]'
      ) {
        // EC2 instance profiles (GPU nodes) assume their role with sts:AssumeRole only.
        found.push(`${role.name} trusts ${String(services[0])} for ${JSON.stringify(statement.Action)}`);
      }
    }
  }
  return found;
}

/** Every model read policy names exact S3 objects (no wildcard) and, for KMS, exact keys. */
export function inexactModelPolicies(subject: PolicySubject): string[] {
  const found: string[] = [];
  for (const policy of subject.cloudResources.filter(isPolicy)) {
    for (const statement of statementsOf(policy.properties.policy)) {
      const actions = list(statement.Action);
      for (const resource of list(statement.Resource)) {
        // A literal "*", "?" or "$" in a key is written ${*}, ${?}, ${$}: strip those before looking for wildcards.
        const bare = String(resource).replace(/\$\{[*?$]\}/g, "");
        if (/[*?]/.test(bare))
          found.push(`${policy.name} grants ${actions.join(",")} on the pattern ${String(resource)}`);
        if (actions.includes("s3:GetObject") && !/^arn:aws[a-z-]*:s3:::[^/]+\/.+$/.test(String(resource)))
          found.push(`${policy.name} grants s3:GetObject on ${String(resource)}, not one object`);
        if (
          actions.includes("kms:Decrypt") &&
          !/^arn:aws[a-z-]*:kms:[^:]+:\d{12}:key\/.+$/.test(String(resource))
        )
          found.push(`${policy.name} grants kms:Decrypt on ${String(resource)}, not one key`);
      }
      const allowed = actions.filter((a) => a !== "s3:GetObject" && a !== "kms:Decrypt");
      if (allowed.length > 0) found.push(`${policy.name} grants ${allowed.join(", ")}`);
    }
  }
  return found;
}

/** None of `secrets` appears anywhere in `text` (a plan as JSON, a rendered file, an output). */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets
    .filter((secret) => text.includes(secret))
    .map((secret) => `a secret (${secret.length} characters) appears`);
}

/** Every rule over `subject`. */
export function securityViolations(subject: PolicySubject): string[] {
  return [
    ...wholeInternetIngress(subject),
    ...internetFacingWithoutAuthOrTls(subject),
    ...unscopedTrustPolicies(subject),
    ...inexactModelPolicies(subject),
  ];
}
