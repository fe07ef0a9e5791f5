/**
 * Security contexts meeting the restricted Pod Security Standard: non-root UID >= 10000, RuntimeDefault
 * seccomp, every capability dropped, no privilege escalation, read-only root filesystem.
 */

/** UID and GID the server runs as (the image's user). */
export const SERVER_UID = 10001;
export const SERVER_GID = 10001;

/** Volume types the restricted profile allows (and the only ones the planners use). */
export const RESTRICTED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const;

const RUNTIME_DEFAULT_SECCOMP = { type: "RuntimeDefault" } as const;

/** The pod-level security context. */
export function podSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: SERVER_UID,
    runAsGroup: SERVER_GID,
    fsGroup: SERVER_GID,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: RUNTIME_DEFAULT_SECCOMP,
  };
}

/** The security context of every container, init containers included. */
export function containerSecurityContext(): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: SERVER_UID,
    runAsGroup: SERVER_GID,
    capabilities: { drop: ["ALL"] },
    seccompProfile: RUNTIME_DEFAULT_SECCOMP,
  };
}
