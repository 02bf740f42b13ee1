import type { KubeObject } from './kustomize';
import { matchesSelector, nameOf, ofKind, type LabelSelector } from './manifest-checks';
import type { ClusterPod } from './cluster-pods';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * NetworkPolicy's semantics (networking.k8s.io/v1, as the Kubernetes docs
 * define them) over the rendered objects: a pod selected by no policy of a
 * direction is open in it; a selected pod admits only what some rule of a
 * policy selecting it allows; a connection needs its source's egress and its
 * destination's ingress.
 */

/** Where the namespace's pods run: kustomize's `namespace:` of the overlays. */
export const NAMESPACE = 'postline';

/** One end of a connection: a pod of ours, a pod (or any pod) of another namespace, or an address. */
export type Peer = { pod: ClusterPod } | { namespace: string; podLabels?: Record<string, string> } | { ip: string };

export interface Port {
  number: number;
  name?: string;
  protocol?: 'TCP' | 'UDP';
}

type Selector = LabelSelector | undefined;

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base!) / size) * size;
  return ipToNumber(ip) >= start && ipToNumber(ip) < start + size;
}

function peerMatches(rulePeer: any, peer: Peer): boolean {
  if (rulePeer.ipBlock) {
    return (
      'ip' in peer &&
      inCidr(peer.ip, rulePeer.ipBlock.cidr) &&
      !(rulePeer.ipBlock.except ?? []).some((cidr: string) => inCidr(peer.ip, cidr))
    );
  }
  if ('ip' in peer) return false;
  const namespace = 'pod' in peer ? NAMESPACE : peer.namespace;
  const labels = 'pod' in peer ? peer.pod.labels : (peer.podLabels ?? {});
  // No namespaceSelector: the policy's own namespace.
  const namespaceOk = rulePeer.namespaceSelector
    ? matchesSelector(rulePeer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace })
    : namespace === NAMESPACE;
  // A peer of another namespace whose pods we do not know matches only a rule naming no pods.
  const podOk = rulePeer.podSelector
    ? ('pod' in peer || peer.podLabels !== undefined) && matchesSelector(rulePeer.podSelector, labels)
    : true;
  return namespaceOk && podOk;
}

function portMatches(rulePort: any, port: Port): boolean {
  if ((rulePort.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'string') return rulePort.port === port.name;
  return port.number >= rulePort.port && port.number <= (rulePort.endPort ?? rulePort.port);
}

const policiesFor = (policies: KubeObject[], pod: ClusterPod, type: 'Ingress' | 'Egress') =>
  policies.filter(
    (p) =>
      matchesSelector(p.spec?.podSelector, pod.labels) &&
      (p.spec?.policyTypes ?? (type === 'Ingress' || p.spec?.egress ? [type] : [])).includes(type),
  );

function admits(policies: KubeObject[], pod: ClusterPod, type: 'Ingress' | 'Egress', other: Peer, port: Port) {
  const selecting = policiesFor(policies, pod, type);
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec?.[type === 'Ingress' ? 'ingress' : 'egress'] ?? []).some((rule: any) => {
      const peers = rule[type === 'Ingress' ? 'from' : 'to'];
      const peerOk = !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(peer, other));
      const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((rp: any) => portMatches(rp, port));
      return peerOk && portOk;
    }),
  );
}

/** Whether the policies let `from` open a connection to `to` on `port` (both ends where they are ours). */
export function allowed(objects: KubeObject[], from: Peer, to: Peer, port: Port): boolean {
  const policies = ofKind(objects, 'NetworkPolicy');
  if ('pod' in from && !admits(policies, from.pod, 'Egress', to, port)) return false;
  if ('pod' in to && !admits(policies, to.pod, 'Ingress', from, port)) return false;
  return true;
}

/**
 * Policies that could not mean what they say: a policy selecting no pod, or a
 * rule naming pods of this namespace that none of its pods carry (a label the
 * operator's or the chart's pods do not have, say).
 */
export function deadSelectorProblems(objects: KubeObject[], pods: ClusterPod[]): string[] {
  const problems: string[] = [];
  const anyPod = (selector: Selector) => pods.some((p) => matchesSelector(selector, p.labels));
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    if (!anyPod(policy.spec?.podSelector)) problems.push(`${nameOf(policy)}: its podSelector selects no pod`);
    for (const rule of [...(policy.spec?.ingress ?? []), ...(policy.spec?.egress ?? [])]) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
        if (peer.podSelector && !peer.namespaceSelector && !anyPod(peer.podSelector))
          problems.push(`${nameOf(policy)}: a peer's podSelector ${JSON.stringify(peer.podSelector)} selects no pod`);
      }
    }
  }
  return problems;
}

/** Whether a policy denies everything, both ways, to every pod unless another allows it. */
export function hasDefaultDeny(objects: KubeObject[]): boolean {
  return ofKind(objects, 'NetworkPolicy').some(
    (p) =>
      Object.keys(p.spec?.podSelector ?? {}).every((k) => Object.keys(p.spec.podSelector[k] ?? {}).length === 0) &&
      ['Ingress', 'Egress'].every((t) => p.spec?.policyTypes?.includes(t)) &&
      !(p.spec?.ingress?.length > 0) &&
      !(p.spec?.egress?.length > 0),
  );
}
