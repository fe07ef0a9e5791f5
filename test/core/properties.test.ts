/**
 * Property tests: for a wide range of valid props, every planned object validates against its upstream
 * schema, every pod passes the restricted Pod Security Standard, and the plan's invariants hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planModelService } from "../../src/plan/model-service";
import type { KubernetesObject } from "../../src/plan/types";
import { parseQuantity } from "../../src/specs/common";
import { autoscaledEndpoint, modelService } from "./support/arbitraries";
import type { Json } from "./support/json";
import { restrictedViolations } from "./support/pod-security-standard";
import { validateAgainstUpstreamSchema } from "./support/schemas";

const RUNS = 300;

function podSpecs(objects: readonly KubernetesObject[]): Json[] {
  return objects.filter((o) => o.kind === "Deployment").map((d) => (d as Json).spec.template.spec);
}

describe("ModelService plans over generated props", () => {
  it("validate against the upstream Kubernetes, Gateway API and prometheus-operator schemas", () => {
    fc.assert(
      fc.property(modelService, ({ name, props, binding }) => {
        const plan = planModelService(name, props, binding);
        for (const object of plan.kubernetesObjects) validateAgainstUpstreamSchema(object);
      }),
      { numRuns: RUNS },
    );
  });

  it("run every container, init containers included, under the restricted Pod Security Standard", () => {
    fc.assert(
      fc.property(modelService, ({ name, props, binding }) => {
        for (const pod of podSpecs(planModelService(name, props, binding).kubernetesObjects)) {
          expect(restrictedViolations(pod)).toEqual([]);
          for (const c of [...pod.initContainers, ...pod.containers]) {
            expect(c.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
            expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
          }
          expect(pod.automountServiceAccountToken).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("keep names unique per kind, DNS labels, and every object in the service's namespace", () => {
    fc.assert(
      fc.property(modelService, ({ name, props, binding }) => {
        const plan = planModelService(name, props, binding);
        const keys = plan.kubernetesObjects.map((o) => `${o.kind}/${o.metadata.name}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const o of plan.kubernetesObjects) {
          expect(o.metadata.name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
          expect(o.metadata.namespace).toBe(props.namespace ?? "default");
          expect(o.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("onnxfleet");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("give the kubelet more time than the server's own shutdown deadline, and never roll with fewer pods", () => {
    fc.assert(
      fc.property(modelService, ({ name, props, binding }) => {
        const plan = planModelService(name, props, binding);
        for (const d of plan.kubernetesObjects.filter((o) => o.kind === "Deployment") as Json[]) {
          const pod = d.spec.template.spec;
          const server = pod.containers[0];
          const args: string[] = server.args;
          const deadline = Number(args[args.indexOf("--shutdown-timeout-seconds") + 1]);
          const drain = Number(args[args.indexOf("--drain-delay-seconds") + 1]);
          const preStop = server.lifecycle?.preStop?.sleep?.seconds ?? 0;
          expect(drain).toBeLessThan(deadline);
          expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + deadline);
          expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
          // Pod selector labels appear on the template (a Deployment the API server accepts).
          const selector = Object.entries(d.spec.selector.matchLabels);
          expect(selector.length).toBeGreaterThan(0);
          for (const [k, v] of selector) expect(d.spec.template.metadata.labels[k]).toBe(v);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuse more GPUs per pod than the bound node pool has per node (the generator stays within; this goes beyond)", () => {
    fc.assert(
      fc.property(
        modelService.filter((g) => g.binding !== undefined),
        fc.integer({ min: 1, max: 8 }),
        ({ name, props, binding }, extra) => {
          const gpu = binding!.gpusPerNode + extra;
          const tooMany = { ...props, resources: { ...props.resources, gpu } };
          expect(() => planModelService(name, tooMany, binding)).toThrow(
            new RegExp(
              `resources\\.gpu \\(${gpu}\\) exceeds the ${binding!.gpusPerNode} GPU\\(s\\) per node`,
            ),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("request GPUs exactly when asked, with the matching provider", () => {
    fc.assert(
      fc.property(modelService, ({ name, props, binding }) => {
        const gpu = props.resources?.gpu ?? 0;
        for (const pod of podSpecs(planModelService(name, props, binding).kubernetesObjects)) {
          const server = pod.containers[0];
          const limits = server.resources.limits;
          const provider = server.args[server.args.indexOf("--execution-provider") + 1];
          if (gpu > 0) {
            expect(limits["nvidia.com/gpu"]).toBe(String(gpu));
            expect(provider).toBe("cuda");
          } else {
            expect(limits["nvidia.com/gpu"]).toBeUndefined();
            expect(provider).toBe("cpu");
          }
          expect(parseQuantity(limits.memory)).toBeGreaterThanOrEqual(
            parseQuantity(server.resources.requests.memory)!,
          );
          if (binding) expect(pod.nodeSelector ?? {}).toEqual(binding.nodeSelector);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("route weighted versions through an HTTPRoute whose weights sum to 100", () => {
    fc.assert(
      fc.property(modelService, ({ name, props, binding }) => {
        const plan = planModelService(name, props, binding);
        const route = plan.kubernetesObjects.find((o) => o.kind === "HTTPRoute") as Json | undefined;
        expect(route !== undefined).toBe(props.model.versions !== undefined);
        if (route) {
          const refs: Json[] = route.spec.rules[0].backendRefs;
          expect(refs.reduce((sum, r) => sum + r.weight, 0)).toBe(100);
          for (const ref of refs)
            expect(
              plan.kubernetesObjects.some((o) => o.kind === "Service" && o.metadata.name === ref.name),
            ).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("ModelService plans with values unknown until deployment", () => {
  it("pass Pulumi Outputs for namespace, image, URI and sha256 through untouched, wherever they go", () => {
    fc.assert(
      fc.property(
        modelService,
        fc.boolean(),
        fc.boolean(),
        ({ name, props, binding }, lazyNamespace, lazyImage) => {
          const namespace = { __pulumiOutput: true, id: "namespace" };
          const image = { __pulumiOutput: true, id: "image" };
          const lazyModel = props.model.versions
            ? {
                ...props.model,
                versions: props.model.versions.map((v, i) => ({
                  ...v,
                  uri: { __pulumiOutput: true, id: `uri${i}` },
                  sha256: { __pulumiOutput: true, id: `sha${i}` },
                })),
              }
            : {
                ...props.model,
                uri: { __pulumiOutput: true, id: "uri0" },
                sha256: { __pulumiOutput: true, id: "sha0" },
              };
          const plan = planModelService(
            name,
            {
              ...props,
              model: lazyModel,
              ...(lazyNamespace ? { namespace } : {}),
              ...(lazyImage ? { image } : {}),
            },
            binding,
          );
          if (lazyNamespace)
            for (const o of plan.kubernetesObjects) expect(o.metadata.namespace).toBe(namespace);
          const deployments = plan.kubernetesObjects.filter((o) => o.kind === "Deployment") as Json[];
          deployments.forEach((d, i) => {
            const fetch = d.spec.template.spec.initContainers[0];
            expect(fetch.args[2]).toEqual({ __pulumiOutput: true, id: `uri${i}` });
            expect(fetch.args[4]).toEqual({ __pulumiOutput: true, id: `sha${i}` });
            if (lazyImage) expect(d.spec.template.spec.containers[0].image).toBe(image);
          });
          expect(plan.s3ReadAccess).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("AutoscaledEndpoint plans over generated props", () => {
  const serviceAndEndpoint = modelService.chain((service) => {
    const budget = service.props.disruptionBudget;
    const minAvailable = budget && "minAvailable" in budget ? budget.minAvailable : undefined;
    const weighted = service.props.model.versions !== undefined && service.props.model.versions.length > 1;
    // An autoscaled service leaves replicas to the autoscaler (the endpoint refuses a fixed count).
    const { replicas: _fixed, ...props } = service.props;
    return autoscaledEndpoint(minAvailable, !weighted, service.props.auth !== undefined).map((endpoint) => ({
      service: { ...service, props },
      endpoint,
    }));
  });

  it("validate against the upstream autoscaling, KEDA and core schemas", () => {
    fc.assert(
      fc.property(serviceAndEndpoint, ({ service, endpoint }) => {
        const servicePlan = planModelService(service.name, service.props, service.binding);
        const plan = planAutoscaledEndpoint(service.name, endpoint, servicePlan);
        expect(plan.kubernetesObjects.length).toBeGreaterThan(0);
        for (const object of plan.kubernetesObjects) validateAgainstUpstreamSchema(object);
      }),
      { numRuns: RUNS },
    );
  });

  it("scale every Deployment, and never let the disruption budget block all evictions at min replicas", () => {
    fc.assert(
      fc.property(serviceAndEndpoint, ({ service, endpoint }) => {
        const servicePlan = planModelService(service.name, service.props, service.binding);
        const plan = planAutoscaledEndpoint(service.name, endpoint, servicePlan);
        const deployments = servicePlan.kubernetesObjects.filter((o) => o.kind === "Deployment");
        const scalers = plan.kubernetesObjects.filter(
          (o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "ScaledObject",
        ) as Json[];
        expect(scalers.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(
          deployments.map((d) => d.metadata.name).sort(),
        );
        for (const pdb of servicePlan.kubernetesObjects.filter(
          (o) => o.kind === "PodDisruptionBudget",
        ) as Json[]) {
          const atMin = Math.max(plan.spec.replicas.min, 1);
          const allowed =
            pdb.spec.maxUnavailable !== undefined ? pdb.spec.maxUnavailable : atMin - pdb.spec.minAvailable;
          expect(allowed).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
