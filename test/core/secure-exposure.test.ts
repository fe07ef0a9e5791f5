/**
 * Secure by default on the internet: who may connect (source ranges, the load balancer's own addresses,
 * Route53's health checkers), who may infer (the service's auth) and TLS on the NLB.
 */
import { describe, expect, it } from "vitest";
import {
  ROUTE53_HEALTH_CHECKER_REGION_RANGES,
  ROUTE53_HEALTH_CHECKER_REGIONS,
  route53HealthCheckerRanges,
} from "../../src/catalog/route53-health-checkers";
import { ValidationError } from "../../src/errors";
import { planAutoscaledEndpoint } from "../../src/plan/autoscaled-endpoint";
import { planModelService } from "../../src/plan/model-service";
import { planMultiRegionFailover } from "../../src/plan/multi-region-failover";
import type { AutoscaledEndpointProps, NlbExposureProps } from "../../src/specs/autoscaled-endpoint";
import { ipv4CidrContains } from "../../src/specs/cidr";
import { CERTIFICATE_ARN, resnetProps as gpuResnetProps, pulumiOutput } from "./support/fixtures";
import type { Json } from "./support/json";

/** The DESIGN.md model on CPU: no GPU pool needed to plan it. */
const resnetProps = { ...gpuResnetProps, resources: { cpu: "2", memory: "8Gi" } };

const unauthenticated = planModelService("resnet", resnetProps);
const authenticated = planModelService("resnet", { ...resnetProps, auth: { tokenSecret: { name: "tok" } } });
const A = "service.beta.kubernetes.io/aws-load-balancer-";

const endpoint = (exposure: Partial<NlbExposureProps>): AutoscaledEndpointProps => ({
  replicas: { min: 2, max: 4 },
  target: { inflightRequestsPerReplica: 8 },
  exposure: { type: "nlb", ...exposure } as NlbExposureProps,
});

function problems(props: AutoscaledEndpointProps, service = authenticated): string[] {
  try {
    planAutoscaledEndpoint("resnet", props, service);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map((p) => `${p.path} ${p.reason}`);
  }
  return [];
}

const nlbOf = (props: AutoscaledEndpointProps, service = authenticated) =>
  planAutoscaledEndpoint("resnet", props, service).kubernetesObjects.find(
    (o) => o.kind === "Service",
  ) as unknown as Json;

describe("an internet-facing NLB is refused until it names who may connect, infer, and TLS", () => {
  it("lists the three missing decisions at once, each with its fix", () => {
    expect(
      problems(endpoint({ scheme: "internet-facing", loadBalancerCidrs: ["10.0.0.0/16"] }), unauthenticated),
    ).toEqual([
      'exposure.tls is required for an internet-facing endpoint: give { certificateArn } (an ACM certificate for the name clients use) so the load balancer terminates TLS, or write tls: "none" to serve plain HTTP',
      'exposure.sourceRanges is required for an internet-facing endpoint: list the client ranges allowed in, e.g. ["203.0.113.0/24"], or write "anywhere" to admit the whole internet',
      'service.auth is not set on ModelService "resnet", and an internet-facing endpoint would let anyone run inferences: give the service auth { tokenSecret: { name, key } }, or auth "none" to opt out',
    ]);
  });

  it("needs the load balancer's own ranges (the VPC), and refuses 0.0.0.0/0 there", () => {
    expect(problems(endpoint({ scheme: "internal" }))).toEqual([
      "exposure.loadBalancerCidrs is required: the VPC's CIDR (e.g. [\"10.0.0.0/16\"]), which the load balancer connects to the pods from; the pods' NetworkPolicy admits only these ranges",
    ]);
    expect(problems(endpoint({ loadBalancerCidrs: ["0.0.0.0/0"] }))).toEqual([
      'exposure.loadBalancerCidrs[0] ("0.0.0.0/0") would admit every source, every pod of the cluster included; give the VPC\'s CIDR (e.g. "10.0.0.0/16"): with IP targets the load balancer connects from its own private addresses',
    ]);
  });

  it('admits the whole internet only through sourceRanges: "anywhere", never a literal 0.0.0.0/0', () => {
    const open = {
      scheme: "internet-facing" as const,
      loadBalancerCidrs: ["10.0.0.0/16"],
      tls: "none" as const,
    };
    expect(problems(endpoint({ ...open, sourceRanges: ["0.0.0.0/0"] }))).toEqual([
      'exposure.sourceRanges[0] ("0.0.0.0/0") admits the whole internet; if that is meant, write sourceRanges: "anywhere"',
    ]);
    const nlb = nlbOf(endpoint({ ...open, sourceRanges: "anywhere" }));
    expect(nlb.spec.loadBalancerSourceRanges).toEqual(["0.0.0.0/0"]);
    expect(nlb.metadata.annotations["onnxfleet.dev/opt-outs"]).toBe("sourceRanges,tls");
  });

  it("keeps an internal NLB to its VPC by default, and admits only that to the pods", () => {
    const plan = planAutoscaledEndpoint(
      "resnet",
      endpoint({ loadBalancerCidrs: ["10.0.0.0/16"] }),
      unauthenticated,
    );
    const nlb = plan.kubernetesObjects.find((o) => o.kind === "Service") as unknown as Json;
    const policy = plan.kubernetesObjects.find((o) => o.kind === "NetworkPolicy") as unknown as Json;
    expect(nlb.spec.loadBalancerSourceRanges).toEqual(["10.0.0.0/16"]);
    expect(nlb.metadata.annotations["onnxfleet.dev/opt-outs"]).toBeUndefined();
    expect(policy.spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 8000 }] },
    ]);
  });
});

describe("TLS on the NLB", () => {
  const tls = endpoint({
    scheme: "internet-facing",
    sourceRanges: ["203.0.113.0/24"],
    loadBalancerCidrs: ["10.0.0.0/16"],
    tls: { certificateArn: CERTIFICATE_ARN },
  });

  // https://kubernetes-sigs.github.io/aws-load-balancer-controller/v2.10/guide/service/annotations/ (ssl-cert,
  // ssl-ports, ssl-negotiation-policy) and the ELB TLS 1.3 policies:
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html
  it("terminates TLS on 443 with the ACM certificate and a TLS 1.3 policy; the pods stay HTTP inside the VPC", () => {
    const nlb = nlbOf(tls);
    expect(nlb.spec.ports).toEqual([{ name: "http", port: 443, targetPort: "http", protocol: "TCP" }]);
    expect(nlb.metadata.annotations).toMatchObject({
      [`${A}ssl-cert`]: CERTIFICATE_ARN,
      [`${A}ssl-ports`]: "443",
      [`${A}ssl-negotiation-policy`]: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      [`${A}healthcheck-protocol`]: "HTTP",
    });
    expect(planAutoscaledEndpoint("resnet", tls, authenticated).loadBalancer).toMatchObject({
      port: 443,
      protocol: "HTTPS",
    });
  });

  it("passes an unresolved certificate through and refuses a bad ARN or a policy without TLS 1.3", () => {
    const certificateArn = pulumiOutput("cert");
    const exposure = tls.exposure as NlbExposureProps;
    expect(
      nlbOf({ ...tls, exposure: { ...exposure, tls: { certificateArn } } }).metadata.annotations[
        `${A}ssl-cert`
      ],
    ).toBe(certificateArn);
    expect(
      problems({
        ...tls,
        exposure: {
          ...exposure,
          tls: { certificateArn: "arn:aws:iam::1:cert", sslPolicy: "ELBSecurityPolicy-2016-08" },
        },
      }),
    ).toEqual([
      'exposure.tls.certificateArn ("arn:aws:iam::1:cert") must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>',
      'exposure.tls.sslPolicy ("ELBSecurityPolicy-2016-08") must be a TLS 1.3 security policy such as "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"',
    ]);
  });
});

describe("Route53 health checkers and MultiRegionFailover", () => {
  it("catalogs the published checker ranges: two /26 per checker region plus the GLOBAL /18, all distinct", () => {
    expect(ROUTE53_HEALTH_CHECKER_REGIONS).toHaveLength(8);
    for (const region of ROUTE53_HEALTH_CHECKER_REGIONS)
      expect(ROUTE53_HEALTH_CHECKER_REGION_RANGES[region].every((r) => r.endsWith("/26"))).toBe(true);
    const ranges = route53HealthCheckerRanges();
    expect(new Set(ranges).size).toBe(ranges.length);
    expect(ranges).toContain("15.177.0.0/18");
  });

  const facing = (extra: Partial<NlbExposureProps>) =>
    planAutoscaledEndpoint(
      "resnet",
      endpoint({
        scheme: "internet-facing",
        sourceRanges: ["203.0.113.0/24"],
        loadBalancerCidrs: ["10.0.0.0/16"],
        tls: { certificateArn: CERTIFICATE_ARN },
        ...extra,
      }),
      authenticated,
    ).loadBalancer!;
  const failover = (lb: ReturnType<typeof facing>) =>
    planMultiRegionFailover("global", {
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      domainName: "infer.example.com",
      regions: [
        { region: "us-east-1", endpoint: { ...lb, hostname: "a.elb.us-east-1.amazonaws.com" } },
        { region: "us-west-2", endpoint: { hostname: "b.elb.us-west-2.amazonaws.com", protocol: "HTTPS" } },
      ],
    });

  it("refuses an endpoint whose source ranges keep Route53's checkers out, naming the fix", () => {
    expect(() => failover(facing({}))).toThrow(
      /regions\[0\]\.endpoint\.sourceRanges \(\["203\.0\.113\.0\/24"\]\) keep out the Route53 health checkers \(15\.177\.0\.0\/18, .*set exposure\.admitRoute53HealthCheckers: true/,
    );
  });

  it("accepts it once the checkers are admitted (or anywhere), and checks over HTTPS on 443 from the catalogued regions only", () => {
    const lb = facing({ admitRoute53HealthCheckers: true });
    for (const range of route53HealthCheckerRanges())
      expect(lb.sourceRanges.some((r) => ipv4CidrContains(r, range))).toBe(true);
    const check = failover(lb).cloudResources[0]!.properties;
    expect(check).toMatchObject({ type: "HTTPS", port: 443, enableSni: true });
    // Route53 HealthCheckConfig.Regions: https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
    expect(check.regions).toEqual([...ROUTE53_HEALTH_CHECKER_REGIONS]);
    expect(() => failover(facing({ sourceRanges: "anywhere" }))).not.toThrow();
  });
});
