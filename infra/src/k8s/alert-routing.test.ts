import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderOverlay } from './kustomize';
import { ofKind } from './manifest-checks';
import { installedTool, k8sDir } from './repository';

/* eslint-disable @typescript-eslint/no-explicit-any */
const monitoring = join(k8sDir, 'overlays', 'gke', 'monitoring');
const config: any = parse(readFileSync(join(monitoring, 'alertmanager.yaml'), 'utf8'));
const README = readFileSync(join(k8sDir, 'README.md'), 'utf8');

/** The receiver Alertmanager picks for an alert's labels: the first matching child route, else the parent's. */
function receiverFor(route: any, labels: Record<string, string>): string {
  for (const child of route.routes ?? []) {
    const matches = (child.matchers ?? []).every((m: string) => {
      const [, name, op, value] = /^(\w+)\s*(=~|!=|=)\s*"?([^"]*)"?$/.exec(m)!;
      const actual = labels[name!] ?? '';
      return op === '=' ? actual === value : op === '!=' ? actual !== value : new RegExp(`^${value}$`).test(actual);
    });
    if (matches) return receiverFor({ receiver: route.receiver, ...child }, labels);
  }
  return route.receiver;
}

describe("the managed Alertmanager's configuration (overlays/gke/monitoring/alertmanager.yaml)", () => {
  it("is a configuration Alertmanager accepts (amtool, the managed Alertmanager's version), once the manual step fills in the URL", () => {
    const dir = mkdtempSync(join(tmpdir(), 'postline-alertmanager-'));
    try {
      const file = join(dir, 'alertmanager.yaml');
      const text = readFileSync(join(monitoring, 'alertmanager.yaml'), 'utf8');
      writeFileSync(file, text.replaceAll('SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/T0/B0/example'));
      const output = execFileSync(installedTool('amtool'), ['check-config', file], { encoding: 'utf8' });
      expect(output).toMatch(/SUCCESS/);
      expect(output).toMatch(/ - 1 receivers/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends every alert of the rules to a receiver that notifies someone', () => {
    const rules = ofKind(renderOverlay('gke'), 'Rules').flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules));
    expect(rules.length).toBeGreaterThan(0);
    const receivers = new Map(config.receivers.map((r: any) => [r.name, r]));
    for (const rule of rules.filter((r: any) => r.alert)) {
      const receiver: any = receivers.get(receiverFor(config.route, { alertname: rule.alert, ...rule.labels }));
      const channels = Object.keys(receiver ?? {}).filter((k) => k.endsWith('_configs'));
      expect({ alert: rule.alert, channels: channels.length > 0 }).toEqual({ alert: rule.alert, channels: true });
    }
  });

  it('commits no credential: the receiver URL is a placeholder the one manual step in the README fills in', () => {
    const urls = JSON.stringify(config).match(/https?:\/\/[^"\s]+/g) ?? [];
    expect(urls).toEqual([]);
    expect(README).toContain('kubectl -n gmp-public create secret generic alertmanager');
    expect(README).toContain('SLACK_WEBHOOK_URL');
  });
});
