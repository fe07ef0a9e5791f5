/**
 * The NVIDIA device plugin DaemonSet, which advertises `nvidia.com/gpu` on a node so the scheduler can place
 * GPU pods there.
 *
 * Which AMI needs it: the EKS AL2023 NVIDIA AMI ships the driver and the container toolkit but not the
 * plugin, so the pool plans it; Bottlerocket's NVIDIA variants run the plugin on the host, so it is not
 * planned there (a second copy would fight over the kubelet socket).
 *
 * It needs host access by nature (it registers through a socket in the kubelet's host directory and runs
 * as root to do so), so it is exempt from the restricted Pod Security Standard that workload pods follow
 * and lives in kube-system. It is kept as tight as the plugin allows: not privileged, no privilege
 * escalation, every capability dropped, RuntimeDefault seccomp, only the device-plugin directory mounted,
 * no service account token (the plugin does not talk to the API server), and only on the pool's nodes.
 */
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from "../labels";
import { DEVICE_PLUGIN_NAMESPACE, gpuNodePoolNames, NODE_POOL_LABEL } from "../naming-gpu-pool-failover";
import type { GpuAmiType } from "../specs/gpu-node-pool";
import type { GpuNodePoolSpec } from "../specs/resolve-gpu-node-pool";
import type { KubernetesObject } from "./types";

/** The kubelet's device-plugin directory on the host. */
export const KUBELET_DEVICE_PLUGIN_DIR = "/var/lib/kubelet/device-plugins";

/** True when nodes of `amiType` need the device plugin DaemonSet (AL2023), false when the AMI has it. */
export function needsDevicePlugin(amiType: GpuAmiType): boolean {
  return amiType === "AL2023_x86_64_NVIDIA";
}

/** The device plugin DaemonSet of the pool, in kube-system, on the pool's nodes only. */
export function planNvidiaDevicePlugin(spec: GpuNodePoolSpec): KubernetesObject {
  const name = gpuNodePoolNames(spec.name).devicePlugin;
  const selector = { [LABEL_NAME]: "nvidia-device-plugin", [LABEL_INSTANCE]: spec.name };
  const labels = { ...selector, [LABEL_COMPONENT]: "device-plugin", [LABEL_MANAGED_BY]: MANAGED_BY };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: DEVICE_PLUGIN_NAMESPACE, labels },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [NODE_POOL_LABEL]: spec.name },
          tolerations: [
            { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
            { key: "CriticalAddonsOnly", operator: "Exists" },
          ],
          priorityClassName: "system-node-critical",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "nvidia-device-plugin",
              image: spec.devicePluginImage,
              env: [{ name: "FAIL_ON_INIT_ERROR", value: "false" }],
              securityContext: {
                privileged: false,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
              },
              resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
              volumeMounts: [{ name: "device-plugin", mountPath: KUBELET_DEVICE_PLUGIN_DIR }],
            },
          ],
          volumes: [
            { name: "device-plugin", hostPath: { path: KUBELET_DEVICE_PLUGIN_DIR, type: "Directory" } },
          ],
        },
      },
    },
  };
}
