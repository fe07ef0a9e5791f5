/**
 * `onnxfleet plan FILE`: the capacity figures of a topology as text: per endpoint its replicas, GPUs, nodes
 * and hourly cost, per failover its N+1 verdict and failover time. The numbers come from the same planners
 * the constructs use.
 */

import type { TopologyReport, UsdRange } from "../capacity/topology-report";

function usd(range: UsdRange): string {
  const one = (value: number) => `$${value.toFixed(2)}`;
  return range.low === range.high ? one(range.low) : `${one(range.low)}-${one(range.high)}`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The report as the text `onnxfleet plan` prints. */
export function formatTopologyReport(report: TopologyReport): string {
  const out: string[] = [];
  if (report.endpoints.length === 0) out.push("No autoscaled endpoints.");
  else {
    out.push("Endpoints", "");
    out.push(
      table([
        [
          "endpoint",
          "region",
          "bounds",
          "replicas",
          "GPUs",
          "nodes",
          "in-flight target",
          "$/h at min",
          "$/h at max",
        ],
        ...report.endpoints.map((endpoint) => [
          endpoint.name,
          endpoint.regions.join(", ") || "-",
          endpoint.source,
          `${endpoint.replicas.min}-${endpoint.replicas.max}`,
          `${endpoint.gpus.min}-${endpoint.gpus.max}`,
          endpoint.nodes ? `${endpoint.nodes.min}-${endpoint.nodes.max}` : "-",
          String(endpoint.inflightRequestsPerReplica),
          endpoint.costUsdPerHour ? usd(endpoint.costUsdPerHour.min) : "-",
          endpoint.costUsdPerHour ? usd(endpoint.costUsdPerHour.max) : "-",
        ]),
      ]),
    );
    for (const endpoint of report.endpoints) {
      if (endpoint.arithmetic.length === 0 && !endpoint.costNote && endpoint.prices.length === 0) continue;
      out.push("", `${endpoint.name}:`);
      for (const line of endpoint.arithmetic) out.push(`  ${line}`);
      for (const price of endpoint.prices)
        out.push(
          `  price: ${price.instanceType} in ${endpoint.priceRegion} $${price.usdPerHour}/h ` +
            `(as of ${price.asOf}, ${price.source})`,
        );
      if (endpoint.costNote) out.push(`  cost: ${endpoint.costNote}`);
    }
    out.push(
      "",
      "Cost: nodes x the on-demand list price (Linux) in the endpoint's region; a range spans the pool's " +
        "cheapest to dearest instance type. EBS, load balancers and data transfer are not included.",
    );
  }
  for (const failover of report.failovers) {
    out.push("", `Failover ${failover.name} (${failover.routing}: ${failover.regions.join(", ")})`);
    out.push(`  RTO: ${failover.failoverArithmetic}`);
    out.push(
      failover.nPlusOne
        ? `  N+1: ${failover.nPlusOne.ok ? "holds" : "FAILS"}: ${failover.nPlusOne.arithmetic}`
        : "  N+1: not checked (the regions declare no capacity)",
    );
  }
  return `${out.join("\n")}\n`;
}
