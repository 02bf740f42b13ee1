/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The `restricted` profile of the Kubernetes Pod Security Standards
 * (kubernetes.io/docs/concepts/security/pod-security-standards, policy version
 * "latest"): its controls and the baseline's it includes, each as the standard
 * words it, over a pod spec. Returns what a namespace labelled
 * pod-security.kubernetes.io/enforce=restricted would refuse, empty when nothing.
 */

const BASELINE_SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const RESTRICTED_VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SECCOMP_ALLOWED = ['RuntimeDefault', 'Localhost'];

export function restrictedProblems(pod: any, annotations: Record<string, string> = {}): string[] {
  const problems: string[] = [];
  const podSecurity = pod.securityContext ?? {};
  const containers: any[] = [
    ...(pod.initContainers ?? []),
    ...(pod.containers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  const each = (check: (c: any, security: any) => string | undefined) => {
    for (const c of containers) {
      const problem = check(c, c.securityContext ?? {});
      if (problem) problems.push(`container ${c.name}: ${problem}`);
    }
  };

  // Baseline.
  if (podSecurity.windowsOptions?.hostProcess) problems.push('HostProcess: the pod is a Windows HostProcess pod');
  each((_, s) => (s.windowsOptions?.hostProcess ? 'HostProcess: set' : undefined));
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'])
    if (pod[field]) problems.push(`Host Namespaces: ${field} is true`);
  each((_, s) => (s.privileged ? 'Privileged Containers: privileged is true' : undefined));
  each((c) => ((c.ports ?? []).some((p: any) => p.hostPort) ? 'Host Ports: a hostPort is set' : undefined));
  for (const [key, value] of Object.entries(annotations)) {
    if (
      key.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
      value !== 'runtime/default' &&
      !value.startsWith('localhost/')
    )
      problems.push(`AppArmor: ${key}=${value}`);
  }
  const appArmorOk = (s: any) => !s.appArmorProfile || ['RuntimeDefault', 'Localhost'].includes(s.appArmorProfile.type);
  if (!appArmorOk(podSecurity)) problems.push(`AppArmor: the pod's profile is ${podSecurity.appArmorProfile.type}`);
  each((_, s) => (appArmorOk(s) ? undefined : `AppArmor: profile ${s.appArmorProfile.type}`));
  const seLinuxOk = (s: any) =>
    !s.seLinuxOptions ||
    (BASELINE_SELINUX_TYPES.includes(s.seLinuxOptions.type ?? '') && !s.seLinuxOptions.user && !s.seLinuxOptions.role);
  if (!seLinuxOk(podSecurity)) problems.push('SELinux: the pod sets a custom type, user or role');
  each((_, s) => (seLinuxOk(s) ? undefined : 'SELinux: a custom type, user or role'));
  each((_, s) => (s.procMount && s.procMount !== 'Default' ? `/proc Mount Type: ${s.procMount}` : undefined));
  for (const sysctl of podSecurity.sysctls ?? [])
    if (!SAFE_SYSCTLS.includes(sysctl.name)) problems.push(`Sysctls: ${sysctl.name} is not a safe sysctl`);

  // Restricted.
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.includes(type)) problems.push(`Volume Types: ${volume.name} is ${type}`);
  }
  each((_, s) =>
    s.allowPrivilegeEscalation === false ? undefined : 'Privilege Escalation: allowPrivilegeEscalation is not false',
  );
  each((_, s) => {
    if (s.runAsNonRoot === false) return 'Running as Non-root: runAsNonRoot is false';
    if (s.runAsNonRoot !== true && podSecurity.runAsNonRoot !== true)
      return 'Running as Non-root: runAsNonRoot is not true (pod or container)';
    return undefined;
  });
  if (podSecurity.runAsUser === 0) problems.push('Running as Non-root user: the pod runs as user 0');
  each((_, s) => (s.runAsUser === 0 ? 'Running as Non-root user: runAsUser is 0' : undefined));
  const podSeccomp = podSecurity.seccompProfile?.type;
  if (podSeccomp !== undefined && !SECCOMP_ALLOWED.includes(podSeccomp))
    problems.push(`Seccomp: the pod's profile is ${podSeccomp}`);
  each((_, s) => {
    const type = s.seccompProfile?.type;
    if (type !== undefined && !SECCOMP_ALLOWED.includes(type)) return `Seccomp: profile ${type}`;
    if (type === undefined && podSeccomp === undefined)
      return 'Seccomp: no RuntimeDefault or Localhost profile (pod or container)';
    return undefined;
  });
  each((_, s) => {
    if (!(s.capabilities?.drop ?? []).includes('ALL')) return 'Capabilities: ALL is not dropped';
    const added = (s.capabilities?.add ?? []).filter((c: string) => c !== 'NET_BIND_SERVICE');
    return added.length > 0 ? `Capabilities: adds ${added.join(', ')}` : undefined;
  });
  return problems;
}
