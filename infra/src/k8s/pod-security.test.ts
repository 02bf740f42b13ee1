/* eslint-disable @typescript-eslint/no-explicit-any -- the cases edit a pod spec freely */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { clusterPods } from './cluster-pods';
import { overlayNames, renderOverlay, type KubeObject } from './kustomize';
import { restrictedProblems } from './pod-security';
import { k8sDir } from './repository';

const namespace = parse(readFileSync(join(k8sDir, 'namespace.yaml'), 'utf8')) as KubeObject;

describe('the namespace', () => {
  it('enforces, audits and warns at the restricted Pod Security Standard', () => {
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(namespace.metadata.labels?.[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(namespace.metadata.labels?.[`pod-security.kubernetes.io/${mode}-version`]).toBe('latest');
    }
  });

  it("is made by create-secrets.sh, not deployed: skaffold's cleanup never deletes it (nor the secrets and volumes in it)", () => {
    expect(readFileSync(join(k8sDir, 'create-secrets.sh'), 'utf8')).toMatch(
      /"\$here\/namespace\.yaml" \| kubectl apply -f -/,
    );
    for (const overlay of overlayNames()) {
      const objects = renderOverlay(overlay);
      expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
      expect(new Set(objects.map((o) => o.metadata.namespace ?? namespace.metadata.name))).toEqual(
        new Set([namespace.metadata.name]),
      );
    }
  });
});

describe.each(overlayNames())('every pod of overlay %s', (overlay) => {
  it("meets the restricted profile: our pod templates, and the operator's pods from what each PerconaServerMongoDB sets", () => {
    const pods = clusterPods(renderOverlay(overlay));
    expect(pods.length).toBeGreaterThan(6);
    expect(pods.flatMap((p) => restrictedProblems(p.spec).map((problem) => `${p.owner}: ${problem}`))).toEqual([]);
  });
});

describe('the restricted check catches what the standard refuses', () => {
  const pod = () => ({
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        ports: [{ containerPort: 3000 }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  });
  const withChange = (change: (p: ReturnType<typeof pod> & Record<string, any>) => void) => {
    const p = pod() as ReturnType<typeof pod> & Record<string, any>;
    change(p);
    return restrictedProblems(p);
  };

  it('accepts a pod that meets it', () => {
    expect(restrictedProblems(pod())).toEqual([]);
  });
  it.each([
    ['a hostPath volume', (p: any) => p.volumes.push({ name: 'h', hostPath: { path: '/' } }), /Volume Types/],
    ['host networking', (p: any) => (p.hostNetwork = true), /Host Namespaces/],
    ['a host port', (p: any) => (p.containers[0].ports[0].hostPort = 80), /Host Ports/],
    [
      'privilege escalation',
      (p: any) => delete p.containers[0].securityContext.allowPrivilegeEscalation,
      /Privilege Escalation/,
    ],
    ['root allowed', (p: any) => delete p.securityContext.runAsNonRoot, /Running as Non-root/],
    ['user 0', (p: any) => (p.containers[0].securityContext.runAsUser = 0), /Non-root user/],
    ['no seccomp profile', (p: any) => delete p.securityContext.seccompProfile, /Seccomp/],
    [
      'an unconfined container',
      (p: any) => (p.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }),
      /Seccomp/,
    ],
    ['capabilities kept', (p: any) => (p.containers[0].securityContext.capabilities = {}), /Capabilities/],
    [
      'a capability added',
      (p: any) => (p.containers[0].securityContext.capabilities.add = ['NET_ADMIN']),
      /Capabilities/,
    ],
    ['a privileged container', (p: any) => (p.containers[0].securityContext.privileged = true), /Privileged/],
    ['an unsafe sysctl', (p: any) => (p.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), /Sysctls/],
  ])('%s', (_, change, expected) => {
    expect(withChange(change).join('\n')).toMatch(expected);
  });
});
