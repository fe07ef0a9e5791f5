import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { GpuNodePool, ModelService } from "../../constructs/pulumi";
import { ERROR_CODES } from "../../src/errors";
import { MOCK_ACCOUNT_ID, recordResources, resolved } from "./harness";

const recording = recordResources();
beforeEach(() => recording.reset());

const SHA256 = "9f2c".padEnd(64, "0");
const poolProps = {
  clusterName: "prod-use1",
  subnetIds: ["subnet-0a1b2c3d4e5f60718"],
  instanceTypes: ["g5.xlarge"],
  nodes: { min: 1, max: 4 },
};
const serviceProps = {
  model: { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: SHA256 },
  resources: { gpu: 1, cpu: "2", memory: "8Gi" },
  batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
};

/** The same service on CPU nodes: without a node pool (the core refuses GPUs without one). */
const cpuServiceProps = { ...serviceProps, resources: { cpu: "2", memory: "8Gi" } };

function providers() {
  return {
    aws: new aws.Provider("aws-use1", { region: "us-east-1" }),
    kubernetes: new k8s.Provider("k8s-use1", { kubeconfig: "{}" }),
  };
}

describe("ModelService on a GpuNodePool", () => {
  it("creates the planned Kubernetes objects and the S3 access as children, with the cluster's providers", async () => {
    const opts = { providers: providers() };
    const pool = new GpuNodePool("gpu", poolProps, opts);
    new ModelService("resnet", { ...serviceProps, nodePool: pool }, opts);
    await recording.settle();

    const service = recording.get("onnxfleet:index:ModelService", "resnet");
    const children = recording.childrenOf(service);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        "kubernetes:core/v1:ServiceAccount resnet",
        "kubernetes:core/v1:ConfigMap resnet-config",
        "kubernetes:apps/v1:Deployment resnet-v1",
        "kubernetes:core/v1:Service resnet",
        "kubernetes:policy/v1:PodDisruptionBudget resnet-v1",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy resnet",
        "aws:iam/policy:Policy resnet-model-read",
        "aws:iam/role:Role resnet-pod-role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment resnet-pod-role-model-read",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation resnet-pod-identity",
      ].sort(),
    );
    const k8sUrn = await resolved(opts.providers.kubernetes.urn);
    const awsUrn = await resolved(opts.providers.aws.urn);
    for (const child of children) {
      const expected = child.type.startsWith("aws:") ? awsUrn : k8sUrn;
      expect(child.provider.startsWith(`${expected}::`), `${child.name} provider`).toBe(true);
    }
  });

  // #15 item 12: without a provider a child goes to the default provider, i.e. the current kubeconfig
  // context (https://www.pulumi.com/registry/packages/kubernetes/installation-configuration/).
  it("takes the pool's providers when given none: every child goes to the pool's cluster", async () => {
    const opts = { providers: providers() };
    const pool = new GpuNodePool("gpu", poolProps, opts);
    new ModelService("resnet", { ...serviceProps, nodePool: pool });
    await recording.settle();

    const k8sUrn = await resolved(opts.providers.kubernetes.urn);
    const awsUrn = await resolved(opts.providers.aws.urn);
    const children = recording.childrenOf(recording.get("onnxfleet:index:ModelService", "resnet"));
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) {
      const expected = child.type.startsWith("aws:") ? awsUrn : k8sUrn;
      expect(child.provider.startsWith(`${expected}::`), `${child.name} provider`).toBe(true);
    }
  });

  it("takes a missing Kubernetes provider from the pool and keeps the one it is given", async () => {
    const poolProviders = providers();
    const pool = new GpuNodePool("gpu", poolProps, { providers: poolProviders });
    const ownAws = new aws.Provider("aws-own", { region: "us-east-1" });
    new ModelService("resnet", { ...serviceProps, nodePool: pool }, { providers: { aws: ownAws } });
    await recording.settle();

    const k8sUrn = await resolved(poolProviders.kubernetes.urn);
    const awsUrn = await resolved(ownAws.urn);
    const children = recording.childrenOf(recording.get("onnxfleet:index:ModelService", "resnet"));
    for (const child of children) {
      const expected = child.type.startsWith("aws:") ? awsUrn : k8sUrn;
      expect(child.provider.startsWith(`${expected}::`), `${child.name} provider`).toBe(true);
    }
  });

  it("runs the pods on the pool: its node selector and tolerations, GPU limits, and waits for the pool", async () => {
    const pool = new GpuNodePool("gpu", poolProps);
    new ModelService("resnet", { ...serviceProps, nodePool: pool });
    await recording.settle();

    const deployment = recording.get("kubernetes:apps/v1:Deployment", "resnet-v1");
    const pod = (deployment.inputs.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(pod.nodeSelector).toEqual({ "onnxfleet.dev/node-pool": "gpu" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    const containers = pod.containers as { name: string; resources: { limits: Record<string, string> } }[];
    expect(containers.some((c) => c.resources.limits["nvidia.com/gpu"] === "1")).toBe(true);
    const nodeGroup = recording.get("aws:eks/nodeGroup:NodeGroup", "gpu-node-group");
    const devicePlugin = recording.get("kubernetes:apps/v1:DaemonSet", "nvidia-device-plugin-gpu");
    expect(deployment.dependencies).toEqual(expect.arrayContaining([nodeGroup.urn, devicePlugin.urn]));
  });

  // #15 item 5: EKS sets Pod Identity credentials at pod admission, only if the association exists then:
  // https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html
  it("creates the Deployment only after the Pod Identity association and the role's policy attachment", async () => {
    const pool = new GpuNodePool("gpu", poolProps);
    new ModelService("resnet", { ...serviceProps, nodePool: pool });
    await recording.settle();

    const deployment = recording.get("kubernetes:apps/v1:Deployment", "resnet-v1");
    const association = recording.get(
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "resnet-pod-identity",
    );
    const attachment = recording.get(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "resnet-pod-role-model-read",
    );
    expect(deployment.dependencies).toEqual(expect.arrayContaining([association.urn, attachment.urn]));
    // Objects without pods need not wait.
    const configMap = recording.get("kubernetes:core/v1:ConfigMap", "resnet-config");
    expect(configMap.dependencies).not.toContain(association.urn);
  });

  // #15 item 2: Pulumi's own Deployment wait is 10 minutes, shorter than the progress deadline (model load 600 s
  // + 600 s for node scale-up and image pull); the plan's timeout is used instead:
  // https://www.pulumi.com/docs/iac/concepts/options/customtimeouts/
  it("waits for each Deployment's rollout as long as the plan says, not Pulumi's 10-minute default", async () => {
    const pool = new GpuNodePool("gpu", poolProps);
    const service = new ModelService("resnet", {
      ...serviceProps,
      nodePool: pool,
      modelLoadTimeoutSeconds: 900,
    });
    await recording.settle();
    const deployment = recording.get("kubernetes:apps/v1:Deployment", "resnet-v1");
    expect((deployment.inputs.spec as { progressDeadlineSeconds: number }).progressDeadlineSeconds).toBe(
      1500,
    );
    expect(service.plan.rolloutTimeoutSeconds).toBe(3000);
    expect(deployment.customTimeouts).toEqual({ create: "3000s", update: "3000s", delete: "" });
    expect(recording.get("kubernetes:core/v1:Service", "resnet").customTimeouts.create).toBe("");
  });

  it("grants s3:GetObject on exactly the model object, to a Pod Identity role bound to the ServiceAccount", async () => {
    const pool = new GpuNodePool("gpu", poolProps);
    const service = new ModelService("resnet", { ...serviceProps, nodePool: pool });
    await recording.settle();

    const policy = recording.get("aws:iam/policy:Policy", "resnet-model-read");
    expect(JSON.parse(policy.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::models/resnet50/3/model.onnx"],
        },
      ],
    });
    const role = recording.get("aws:iam/role:Role", "resnet-pod-role");
    // Scoped to the account (from the read policy's ARN), the pool's cluster, the namespace and the
    // ServiceAccount: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
    expect((role.inputs.assumeRolePolicy as { Statement: unknown[] }).Statement).toEqual([
      {
        Sid: "EksPodIdentityForThisServiceAccountOnly",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": MOCK_ACCOUNT_ID,
            "aws:RequestTag/eks-cluster-name": "prod-use1",
            "aws:RequestTag/kubernetes-namespace": "default",
            "aws:RequestTag/kubernetes-service-account": "resnet",
          },
        },
      },
    ]);
    const attachment = recording.get(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "resnet-pod-role-model-read",
    );
    expect(attachment.inputs).toEqual({
      role: "resnet-pod-role-mockid",
      policyArn: `arn:aws:mock::${MOCK_ACCOUNT_ID}:Policy/resnet-model-read`,
    });
    const association = recording.get(
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "resnet-pod-identity",
    );
    expect(association.inputs).toEqual({
      clusterName: "prod-use1",
      namespace: "default",
      serviceAccount: "resnet",
      roleArn: "arn:aws:mock::123456789012:Role/resnet-pod-role",
    });
    expect(await resolved(service.podRoleArn!)).toBe("arn:aws:mock::123456789012:Role/resnet-pod-role");
    expect(await resolved(service.modelReadPolicyArn!)).toBe(
      "arn:aws:mock::123456789012:Policy/resnet-model-read",
    );
  });

  it("creates no role when the user gives serviceAccountRoleArn (IRSA), and annotates the ServiceAccount", async () => {
    const roleArn = "arn:aws:iam::123456789012:role/my-model-reader";
    new ModelService("resnet", { ...cpuServiceProps, serviceAccountRoleArn: roleArn });
    await recording.settle();

    expect(recording.ofType("aws:iam/role:Role")).toEqual([]);
    expect(recording.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).toEqual([]);
    const account = recording.get("kubernetes:core/v1:ServiceAccount", "resnet");
    expect(account.inputs.metadata).toMatchObject({ annotations: { "eks.amazonaws.com/role-arn": roleArn } });
    expect(account.inputs.automountServiceAccountToken).toBe(false);
  });

  it("creates no AWS resource for a model served over https", async () => {
    const model = { name: "resnet50", uri: "https://models.example.com/resnet50.onnx", sha256: SHA256 };
    const service = new ModelService("resnet", { ...cpuServiceProps, model });
    await recording.settle();

    expect(recording.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    expect(service.podRoleArn).toBeUndefined();
    // Without a pool the pods select no GPU nodes.
    const deployment = recording.get("kubernetes:apps/v1:Deployment", "resnet-v1");
    expect((deployment.inputs.spec as { template: { spec: object } }).template.spec).not.toHaveProperty(
      "nodeSelector",
    );
  });
});

describe("ModelService fields owned at run time", () => {
  it("with a fixed replicas, leaves spec.replicas of each Deployment to kubectl scale after creation, as the core plans", async () => {
    const versions = [
      { version: 3, uri: "https://models.example.com/3.onnx", sha256: SHA256, weightPercent: 90 },
      { version: 4, uri: "https://models.example.com/4.onnx", sha256: SHA256, weightPercent: 10 },
    ];
    const service = new ModelService("resnet", {
      ...cpuServiceProps,
      model: { name: "resnet50", versions },
      gateway: { name: "inference", namespace: "gateways" },
      replicas: 3,
    });
    await recording.settle();

    const planned = new Map(
      service.plan.kubernetesIgnoreChanges.map((e) => [`${e.object.kind}/${e.object.name}`, e.fields]),
    );
    expect([...planned.keys()]).toEqual(["Deployment/resnet-v3", "Deployment/resnet-v4"]);
    const children = recording.childrenOf(recording.get("onnxfleet:index:ModelService", "resnet"));
    expect(children.length).toBeGreaterThan(4);
    for (const child of children) {
      const kind = child.type.split(":").pop();
      expect(child.ignoreChanges).toEqual(planned.get(`${kind}/${child.name}`) ?? []);
    }
  });
});

describe("ModelService (invalid props)", () => {
  it("refuses a misspelt prop (JavaScript callers), while its own args nodePool and clusterName pass", () => {
    const args = { ...cpuServiceProps, clusterName: "c", replica: 3 } as never;
    expect(() => new ModelService("resnet", args)).toThrow(
      'ModelService "resnet": replica is not a prop (did you mean "replicas"?)',
    );
    expect(recording.resources).toEqual([]);
  });

  it("fails with the core's message naming construct, prop and value, and creates nothing", () => {
    const model = { name: "resnet50", uri: "s3://models/resnet50/3/model.onnx", sha256: "abc" };
    expect(() => new ModelService("resnet", { ...cpuServiceProps, model, clusterName: "c" })).toThrow(
      expect.objectContaining({
        errors: [expect.objectContaining({ propertyPath: "model.sha256" })],
        cause: expect.objectContaining({ code: ERROR_CODES.INVALID_PROPS }),
        message: expect.stringMatching(/^ModelService "resnet": model\.sha256 \("abc"\)/),
      }),
    );
    expect(recording.resources).toEqual([]);
  });

  it("asks for a cluster when the model is in S3 and nothing says which cluster the role is for", () => {
    expect(() => new ModelService("resnet", cpuServiceProps)).toThrow(pulumi.InputPropertiesError);
    expect(() => new ModelService("resnet", cpuServiceProps)).toThrow(
      /ModelService "resnet": clusterName is required when the model is read from S3: bind the service to a GpuNodePool/,
    );
    expect(recording.resources).toEqual([]);
  });
});
