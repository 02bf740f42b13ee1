import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderOverlay } from './kustomize';
import { ofKind } from './manifest-checks';
import { installedTool, k8sDir } from './repository';

const README = readFileSync(join(k8sDir, 'README.md'), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dashboard: any = JSON.parse(
  readFileSync(join(k8sDir, 'overlays', 'gke', 'monitoring', 'dashboard.json'), 'utf8'),
);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
interface RuleGroup {
  name: string;
  interval: string;
  rules: Rule[];
}

/** The metrics contract: the table of infra/k8s/README.md's "Metrics", name → type. */
function metricsContract(): Map<string, string> {
  const rows = [...README.matchAll(/^\| `(postline_[a-z_]+)` +\| (\w+) /gm)];
  return new Map(rows.map(([, name, type]) => [name!, type!]));
}

/** The series a contract metric stands for in PromQL (a histogram's _bucket, _sum and _count). */
function seriesOf(contract: Map<string, string>): Map<string, string> {
  const series = new Map<string, string>();
  for (const [name, type] of contract) {
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    for (const suffix of suffixes) series.set(`${name}${suffix}`, name);
  }
  return series;
}

/** Postline's own metric names in a PromQL expression. */
const postlineMetrics = (expr: string) => [...expr.matchAll(/\bpostline_[a-z_]+\b/g)].map(([name]) => name);

/** promtool's verdict on rule groups: '' when they parse and are well-formed. */
function promtoolProblems(groups: RuleGroup[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'postline-rules-'));
  try {
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ groups }));
    execFileSync(installedTool('promtool'), ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || (err as Error).message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every tile's chart queries, as recording rules promtool can check. */
function dashboardQueries(): { title: string; expr: string }[] {
  return dashboard.mosaicLayout.tiles.flatMap((tile: { widget: { title: string; xyChart?: { dataSets: [] } } }) =>
    (tile.widget.xyChart?.dataSets ?? []).map((set: { timeSeriesQuery: { prometheusQuery: string } }) => ({
      title: tile.widget.title,
      expr: set.timeSeriesQuery.prometheusQuery,
    })),
  );
}

describe('alerts, dashboard and the metrics contract', () => {
  let groups: RuleGroup[];
  beforeAll(() => {
    groups = ofKind(renderOverlay('gke'), 'Rules').flatMap((r) => r.spec.groups);
  });
  const alertRules = () => groups.flatMap((g) => g.rules).filter((r) => r.alert);

  it('has a contract of metrics in infra/k8s/README.md', () => {
    expect([...metricsContract().keys()]).toEqual(
      expect.arrayContaining([
        'postline_http_request_duration_seconds',
        'postline_consumer_pending_messages',
        'postline_outbox_oldest_event_age_seconds',
        'postline_dead_letters_total',
      ]),
    );
  });

  it('alerts on consumer lag, dead letters, outbox age, stream fill, error rate and latency', () => {
    expect(alertRules().map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'PostlineConsumerLag',
        'PostlineStreamFilling',
        'PostlineDeadLetters',
        'PostlineOutboxStale',
        'PostlineHighErrorRate',
        'PostlineHighLatency',
      ]),
    );
  });

  it('has rules that promtool accepts', () => {
    expect(promtoolProblems(groups)).toBe('');
  });

  it('has dashboard queries that promtool accepts', () => {
    const rules = dashboardQueries().map(({ expr }, i) => ({ record: `dashboard:tile_${i}`, expr }));
    expect(rules.length).toBeGreaterThan(0);
    expect(promtoolProblems([{ name: 'dashboard', interval: '1m', rules }])).toBe('');
  });

  it('uses only contract metrics, and alerts on or charts every one of them', () => {
    const series = seriesOf(metricsContract());
    const used = [...groups.flatMap((g) => g.rules), ...dashboardQueries()].flatMap((r) => postlineMetrics(r.expr));
    expect(used.filter((name) => !series.has(name))).toEqual([]);
    const covered = new Set(used.map((name) => series.get(name)));
    expect([...metricsContract().keys()].filter((name) => !covered.has(name))).toEqual([]);
  });

  it('has a runbook entry for every alert', () => {
    const entries = new Set([...README.matchAll(/^#### (\w+)$/gm)].map(([, name]) => name));
    expect(alertRules().filter((r) => !entries.has(r.alert))).toEqual([]);
  });

  it('lays the dashboard out on its grid without overlaps', () => {
    const { columns, tiles } = dashboard.mosaicLayout as {
      columns: number;
      tiles: { xPos?: number; yPos?: number; width: number; height: number }[];
    };
    const cells = new Set<string>();
    for (const { xPos = 0, yPos = 0, width, height } of tiles) {
      expect(xPos + width).toBeLessThanOrEqual(columns);
      for (let x = xPos; x < xPos + width; x++)
        for (let y = yPos; y < yPos + height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('catches a query promtool rejects and a metric outside the contract', () => {
    expect(
      promtoolProblems([{ name: 'broken', interval: '1m', rules: [{ alert: 'X', expr: 'sum(rate(x[5m])' }] }]),
    ).not.toBe('');
    expect(
      postlineMetrics('rate(postline_requests_total[5m])').filter((n) => !seriesOf(metricsContract()).has(n)),
    ).toEqual(['postline_requests_total']);
  });
});
