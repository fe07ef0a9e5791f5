/**
 * The restricted Pod Security Standard (which includes the baseline), as the Kubernetes documentation
 * states it (https://kubernetes.io/docs/concepts/security/pod-security-standards/), checked on a pod spec.
 * Returns every violation; an empty list means the pod passes. Applies to containers and init containers
 * (and ephemeral containers) alike.
 */

type Json = Record<string, unknown>;

const ALLOWED_VOLUME_SOURCES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** Capabilities baseline allows to be added (restricted allows only NET_BIND_SERVICE). */
const RESTRICTED_ADDABLE_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);

const ALLOWED_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

const ALLOWED_PROC_MOUNT = new Set(["Default"]);
const ALLOWED_SECCOMP = new Set(["RuntimeDefault", "Localhost"]);
const ALLOWED_SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

function obj(value: unknown): Json {
  return value !== null && typeof value === "object" ? (value as Json) : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** Violations of the restricted profile by `podSpec` (`spec.template.spec` of a Deployment). */
export function restrictedViolations(podSpec: Json): string[] {
  const v: string[] = [];
  const pod = obj(podSpec.securityContext);

  // --- baseline ---
  for (const field of ["hostNetwork", "hostPID", "hostIPC"])
    if (podSpec[field] === true) v.push(`spec.${field} must not be true`);
  if (podSpec.hostUsers === false) {
    // allowed (user namespaces); hostUsers true is the default and allowed too
  }
  for (const sysctl of list(pod.sysctls))
    if (!ALLOWED_SYSCTLS.has(String(sysctl.name)))
      v.push(`securityContext.sysctls ${String(sysctl.name)} is not allowed`);
  checkSeLinux(v, "spec.securityContext", pod.seLinuxOptions);
  if (pod.windowsOptions && obj(pod.windowsOptions).hostProcess === true)
    v.push("spec.securityContext.windowsOptions.hostProcess must not be true");
  if (obj(pod.appArmorProfile).type === "Unconfined")
    v.push("spec.securityContext.appArmorProfile must not be Unconfined");

  for (const volume of list(podSpec.volumes)) {
    const sources = Object.keys(volume).filter((k) => k !== "name");
    for (const source of sources)
      if (!ALLOWED_VOLUME_SOURCES.has(source))
        v.push(`volume ${String(volume.name)} uses ${source}, not allowed`);
  }

  // --- restricted, pod level ---
  const podNonRoot = pod.runAsNonRoot === true;
  if (pod.runAsNonRoot === false) v.push("spec.securityContext.runAsNonRoot must not be false");
  if (pod.runAsUser === 0) v.push("spec.securityContext.runAsUser must not be 0");
  const podSeccomp = obj(pod.seccompProfile).type;
  if (podSeccomp !== undefined && !ALLOWED_SECCOMP.has(String(podSeccomp)))
    v.push(`spec.securityContext.seccompProfile.type ${String(podSeccomp)} is not allowed`);

  const containers = [
    ...list(podSpec.initContainers).map((c) => ["initContainers", c] as const),
    ...list(podSpec.containers).map((c) => ["containers", c] as const),
    ...list(podSpec.ephemeralContainers).map((c) => ["ephemeralContainers", c] as const),
  ];
  if (list(podSpec.containers).length === 0) v.push("spec.containers is empty");
  for (const [kind, container] of containers) {
    const where = `${kind}[${String(container.name)}]`;
    const sc = obj(container.securityContext);
    // baseline
    if (sc.privileged === true) v.push(`${where}: privileged must not be true`);
    for (const cap of list(obj(sc.capabilities).add) as unknown as string[])
      if (!RESTRICTED_ADDABLE_CAPABILITIES.has(cap)) v.push(`${where}: capability ${cap} must not be added`);
    for (const port of list(container.ports))
      if (port.hostPort !== undefined && port.hostPort !== 0) v.push(`${where}: hostPort must not be set`);
    if (sc.procMount !== undefined && !ALLOWED_PROC_MOUNT.has(String(sc.procMount)))
      v.push(`${where}: procMount must be Default`);
    checkSeLinux(v, `${where}.securityContext`, sc.seLinuxOptions);
    if (obj(sc.windowsOptions).hostProcess === true)
      v.push(`${where}: windowsOptions.hostProcess must not be true`);
    if (obj(sc.appArmorProfile).type === "Unconfined")
      v.push(`${where}: appArmorProfile must not be Unconfined`);
    for (const probeField of ["livenessProbe", "readinessProbe", "startupProbe"]) {
      const probe = obj(container[probeField]);
      for (const handler of ["httpGet", "tcpSocket"])
        if (obj(probe[handler]).host !== undefined)
          v.push(`${where}: ${probeField}.${handler}.host must not be set`);
    }
    for (const phase of ["postStart", "preStop"]) {
      const hook = obj(obj(container.lifecycle)[phase]);
      for (const handler of ["httpGet", "tcpSocket"])
        if (obj(hook[handler]).host !== undefined)
          v.push(`${where}: lifecycle.${phase}.${handler}.host must not be set`);
    }
    // restricted
    if (sc.allowPrivilegeEscalation !== false) v.push(`${where}: allowPrivilegeEscalation must be false`);
    if (sc.runAsNonRoot === false) v.push(`${where}: runAsNonRoot must not be false`);
    if (!podNonRoot && sc.runAsNonRoot !== true)
      v.push(`${where}: runAsNonRoot must be true (pod or container)`);
    if (sc.runAsUser === 0) v.push(`${where}: runAsUser must not be 0`);
    const seccomp = obj(sc.seccompProfile).type;
    if (seccomp !== undefined && !ALLOWED_SECCOMP.has(String(seccomp)))
      v.push(`${where}: seccompProfile.type ${String(seccomp)} is not allowed`);
    if (seccomp === undefined && podSeccomp === undefined)
      v.push(`${where}: seccompProfile must be RuntimeDefault or Localhost (pod or container)`);
    const drop = list(obj(sc.capabilities).drop) as unknown as string[];
    if (!drop.includes("ALL")) v.push(`${where}: capabilities.drop must include ALL`);
  }
  return v;
}

function checkSeLinux(v: string[], where: string, options: unknown): void {
  if (options === undefined) return;
  const o = obj(options);
  if (o.type !== undefined && !ALLOWED_SELINUX_TYPES.has(String(o.type)))
    v.push(`${where}.seLinuxOptions.type not allowed`);
  if (o.user !== undefined && o.user !== "") v.push(`${where}.seLinuxOptions.user must not be set`);
  if (o.role !== undefined && o.role !== "") v.push(`${where}.seLinuxOptions.role must not be set`);
}
