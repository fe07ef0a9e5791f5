import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { GpuNodePool, ModelService } from "../../constructs/cdktf";
import { ValidationError } from "../../src/errors";
import { planGpuNodePool } from "../../src/plan/gpu-node-pool";
import { planModelService } from "../../src/plan/model-service";
import {
  danglingReferences,
  expectClusterChecksPass,
  interpolation,
  manifests,
  poolProps,
  regionProviders,
  resourcesOfType,
  serviceProps,
  synthStack,
} from "./support";

type Resource = Record<string, unknown>;
const manifestOf = (config: ReturnType<typeof synthStack>["config"], kind: string): [string, Resource][] =>
  Object.entries(resourcesOfType(config, "kubernetes_manifest")).filter(
    ([, r]) => (r.manifest as { kind: string }).kind === kind,
  );

// #15 item 12: a resource without `provider` goes to the default provider configuration, i.e. another cluster
// (https://developer.hashicorp.com/terraform/language/providers/configuration#selecting-alternate-provider-configurations).
describe("CDKTF ModelService on a GpuNodePool, given no providers", () => {
  const { config } = synthStack((stack) => {
    const pool = new GpuNodePool(stack, "gpu", {
      ...poolProps,
      providers: regionProviders(stack, "us-east-1"),
    });
    new ModelService(stack, "resnet", { ...serviceProps, nodePool: pool });
  });

  it("takes the pool's providers: every object and cloud resource goes to the pool's cluster and region", () => {
    const all = [
      ...Object.values(resourcesOfType(config, "kubernetes_manifest")),
      ...Object.values(resourcesOfType(config, IamPolicy.tfResourceType)),
      ...Object.values(resourcesOfType(config, EksPodIdentityAssociation.tfResourceType)),
    ];
    expect(all.length).toBeGreaterThan(3);
    for (const resource of all) expect(resource.provider).toMatch(/^(kubernetes|aws)\.us-east-1$/);
  });
});

describe("CDKTF ModelService on a GpuNodePool, model in S3", () => {
  let service: ModelService | undefined;
  const { json, config } = synthStack((stack) => {
    const providers = regionProviders(stack, "us-east-1");
    const pool = new GpuNodePool(stack, "gpu", { ...poolProps, providers });
    service = new ModelService(stack, "resnet", { ...serviceProps, nodePool: pool, providers });
  });
  const plan = planModelService("resnet", serviceProps, planGpuNodePool("gpu", poolProps).binding);

  it("holds exactly the core's planned objects, unchanged, in kubernetes_manifests on the cluster's provider", () => {
    const pool = planGpuNodePool("gpu", poolProps);
    const planned = [...pool.kubernetesObjects, ...plan.kubernetesObjects];
    expect(manifests(config)).toEqual(expect.arrayContaining(JSON.parse(JSON.stringify(planned))));
    expect(manifests(config)).toHaveLength(planned.length);
    for (const [, manifest] of Object.entries(resourcesOfType(config, "kubernetes_manifest")))
      expect(manifest.provider).toBe("kubernetes.us-east-1");
  });

  it("passes the upstream schemas and the restricted Pod Security Standard, as Terraform will apply them", () => {
    expect(expectClusterChecksPass(manifests(config))).toBe(plan.kubernetesObjects.length);
  });

  it("grants s3:GetObject on the model object to a Pod Identity role bound to the ServiceAccount, in the pool's cluster", () => {
    const [policy] = Object.values(resourcesOfType(config, IamPolicy.tfResourceType));
    expect(JSON.parse(policy?.policy as string).Statement).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::models/resnet50/3/model.onnx"] },
    ]);
    expect(policy?.provider).toBe("aws.us-east-1");
    const [roleName] = Object.keys(resourcesOfType(config, "aws_iam_role")).filter((n) =>
      n.includes("pod-role"),
    );
    expect(
      Testing.toHaveResourceWithProperties(json, EksPodIdentityAssociation.tfResourceType, {
        cluster_name: "prod-use1",
        namespace: "default",
        service_account: "resnet",
        role_arn: `\${aws_iam_role.${roleName}.arn}`,
      }),
    ).toBe(true);
    expect(service?.podRoleArn).toMatch(/TfToken/);
    expect(service?.modelReadPolicyArn).toMatch(/TfToken/);
  });

  it("creates every object after the node pool and the Pod Identity association", () => {
    const nodeGroup = Object.keys(resourcesOfType(config, "aws_eks_node_group"))[0];
    const association = Object.keys(resourcesOfType(config, EksPodIdentityAssociation.tfResourceType))[0];
    const serviceObjects = Object.values(resourcesOfType(config, "kubernetes_manifest")).filter(
      (r) => (r.manifest as { kind: string }).kind !== "DaemonSet",
    );
    expect(serviceObjects).toHaveLength(plan.kubernetesObjects.length);
    for (const object of serviceObjects) {
      expect(object.depends_on).toEqual(
        expect.arrayContaining([
          `aws_eks_node_group.${nodeGroup}`,
          `aws_eks_pod_identity_association.${association}`,
        ]),
      );
    }
    expect(danglingReferences(config)).toEqual([]);
  });

  it("waits for each Deployment's rollout, and lets the cluster own the fields the core marks", () => {
    const deployments = manifestOf(config, "Deployment");
    expect(deployments.length).toBe(plan.kubernetesObjects.filter((o) => o.kind === "Deployment").length);
    for (const [, deployment] of deployments) {
      expect(deployment.wait).toEqual({ rollout: true });
      const name = (deployment.manifest as { metadata: { name: string } }).metadata.name;
      const owned = plan.kubernetesIgnoreChanges
        .filter((entry) => entry.object.kind === "Deployment" && entry.object.name === name)
        .flatMap((entry) => entry.fields);
      expect(deployment.computed_fields).toEqual(["metadata.annotations", "metadata.labels", ...owned]);
    }
    for (const [, other] of manifestOf(config, "Service")) expect(other.wait).toBeUndefined();
  });
});

// #15 item 2: the provider's manifest wait gives up after its `timeouts` (10 minutes unless set), shorter than the
// progress deadline (model load + 600 s for node scale-up and image pull):
// https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/manifest#timeouts
describe("CDKTF ModelService rollout wait", () => {
  it("waits for each Deployment as long as the plan says (create and update), not the provider's 10 minutes", () => {
    const props = { ...serviceProps, modelLoadTimeoutSeconds: 900 };
    let service: ModelService | undefined;
    const { config } = synthStack((stack) => {
      const pool = new GpuNodePool(stack, "gpu", poolProps);
      service = new ModelService(stack, "resnet", { ...props, nodePool: pool });
    });
    const plan = planModelService("resnet", props, planGpuNodePool("gpu", poolProps).binding);
    expect(plan.rolloutTimeoutSeconds).toBe(3000);
    expect(service?.plan.rolloutTimeoutSeconds).toBe(plan.rolloutTimeoutSeconds);
    const deployments = manifestOf(config, "Deployment");
    expect(deployments).toHaveLength(1);
    for (const [, deployment] of deployments)
      expect(deployment.timeouts).toEqual({ create: "3000s", update: "3000s" });
    // Objects with nothing to wait for keep the provider's default.
    for (const kind of ["Service", "ConfigMap", "NetworkPolicy"])
      for (const [, other] of manifestOf(config, kind)) expect(other.timeouts, kind).toBeUndefined();
  });
});

/** The same service on CPU nodes: without a node pool (the core refuses GPUs without one). */
const cpuServiceProps = { ...serviceProps, resources: { cpu: "2", memory: "8Gi" } };

describe("CDKTF ModelService, tokens and invalid props", () => {
  it("passes a namespace token through validation into every object", () => {
    const { config } = synthStack((stack) => {
      const namespace = new TerraformVariable(stack, "namespace", { type: "string" });
      new ModelService(stack, "resnet", {
        ...cpuServiceProps,
        namespace: namespace.stringValue,
        clusterName: "prod-use1",
      });
    });
    const objects = manifests(config);
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(object.metadata.namespace).toBe(interpolation("var.namespace"));
    expect(danglingReferences(config)).toEqual([]);
  });

  it("throws the core's ValidationError listing every problem, before any child is created", () => {
    const stack = new TerraformStack(Testing.app(), "bad");
    let error: unknown;
    try {
      new ModelService(stack, "resnet", {
        ...serviceProps,
        model: { ...serviceProps.model, sha256: "short" },
        replicas: -1,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(["model.sha256", "replicas"]),
    );
    expect(stack.node.children).toEqual([]);
  });

  it("asks for the cluster when a model in S3 has no node pool and no clusterName, before any child is created", () => {
    const stack = new TerraformStack(Testing.app(), "bad");
    expect(() => new ModelService(stack, "resnet", cpuServiceProps)).toThrow(/clusterName is required/);
    expect(stack.node.children).toEqual([]);
  });
});
