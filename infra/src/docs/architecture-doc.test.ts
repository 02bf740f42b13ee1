import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventNames, eventCatalogue, subjects, type Subject } from '@postline/common';
import { loadRouteTable } from '../route-table';
import {
  consumersBySubject,
  httpRoutes,
  publishersBySubject,
  root,
  serviceVariables,
  sharedVariables,
  trackedFiles,
} from './code-facts';
import { brokenLinks, readMarkdown, tableWithHeader, type Cell } from './markdown';

/**
 * docs/architecture.md is the project's contract. These checks hold its tables to the code
 * (route table, routes, streams, subjects with their publishers, consumers and payloads, the
 * configuration and its defaults) and refuse any route, subject, variable, file or link it names
 * that does not exist, so it cannot drift from what is built without a test failing. A failure
 * prints the rows the code expects.
 */
const docFile = join(root, 'docs', 'architecture.md');
const doc = readMarkdown(readFileSync(docFile, 'utf8'));

const first = (cell: Cell | undefined): string => cell?.code[0] ?? cell?.text ?? '';
const sorted = (values: Iterable<string>) => [...values].sort();

/** Rows keyed by their first cell's code, so a failure names the row. */
function rowsByKey(header: string[]): Map<string, Cell[]> {
  return new Map(tableWithHeader(doc, header).rows.map((row) => [first(row[0]), row]));
}

function expectSameKeys(documented: Iterable<string>, inCode: Iterable<string>, what: string): void {
  const doc = new Set(documented);
  const code = new Set(inCode);
  const missing = [...code].filter((k) => !doc.has(k));
  const stale = [...doc].filter((k) => !code.has(k));
  expect({ what, missing, stale }).toEqual({ what, missing: [], stale: [] });
}

/** Every tracked file's text, but Markdown's: where a name the document uses must occur. */
function codeText(): string {
  const files = trackedFiles().filter((f) => /\.(ts|tsx|js|mjs|json|ya?ml|sh|conf|toml)$/.test(f));
  return files.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
}

describe('docs/architecture.md', () => {
  it("has the gateway's route table as infra/routes.json says it", () => {
    const rows = rowsByKey(['prefix', 'service']);
    const routes = loadRouteTable();
    expectSameKeys(
      rows.keys(),
      routes.map((r) => r.prefix),
      'prefixes',
    );
    for (const { prefix, service } of routes) expect([prefix, first(rows.get(prefix)?.[1])]).toEqual([prefix, service]);
  });

  it('says what each service publishes and consumes as its code does', () => {
    const rows = rowsByKey(['service', 'prefix', 'owns (its database)', 'publishes', 'consumes']);
    const routes = loadRouteTable();
    expectSameKeys(
      rows.keys(),
      routes.map((r) => r.service),
      'services',
    );
    const publishers = publishersBySubject();
    const consumers = consumersBySubject();
    const of = (bySubject: Map<Subject, string[]>, service: string) =>
      subjects.filter((s) => bySubject.get(s)?.includes(service));
    /** A cell's subjects; "every subject" stands for the whole catalogue but the subjects it names ("but `x.y`"). */
    const named = (cell: Cell | undefined) =>
      cell?.text.startsWith('every subject')
        ? subjects.filter((s) => !cell.code.includes(s))
        : subjects.filter((s) => cell?.code.includes(s));
    for (const { prefix, service } of routes) {
      const row = rows.get(service);
      expect({ service, prefix: first(row?.[1]), publishes: named(row?.[3]), consumes: named(row?.[4]) }).toEqual({
        service,
        prefix,
        publishes: of(publishers, service),
        consumes: of(consumers, service),
      });
    }
  });

  it('lists every HTTP route the services declare, with its service, and no other', () => {
    const rows = rowsByKey(['route', 'service', 'who may call it']);
    const routes = httpRoutes();
    expect(routes.length).toBeGreaterThan(0);
    const expected = routes.map((r) => `| \`${r.method} ${r.path}\` | \`${r.service}\` | … |`).join('\n');
    expectSameKeys(
      rows.keys(),
      routes.map((r) => `${r.method} ${r.path}`),
      `routes; the code's are:\n${expected}\n`,
    );
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      expect([key, first(rows.get(key)?.[1])]).toEqual([key, route.service]);
    }
  });

  it('lists the streams with the subjects each captures', () => {
    const rows = rowsByKey(['stream', 'subjects', 'holds']);
    const streams = new EventNames().allStreams();
    expectSameKeys(
      rows.keys(),
      streams.map((s) => s.name),
      'streams',
    );
    for (const { name, subjects: captured } of streams)
      expect([name, rows.get(name)?.[1]?.code]).toEqual([name, captured]);
  });

  it('has every subject of the catalogue with its stream, publisher, consumers and payload fields', () => {
    const rows = rowsByKey(['subject', 'stream', 'published by', 'consumed by', 'data']);
    const publishers = publishersBySubject();
    const consumers = consumersBySubject();
    const names = new EventNames();
    const fieldsOf = (subject: Subject) =>
      Object.entries(eventCatalogue[subject].shape).map(([field, schema]) =>
        (schema as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success ? `${field}?` : field,
      );
    const expected = subjects.map((s) => ({
      subject: s,
      stream: names.streamOf(s),
      publishedBy: sorted(publishers.get(s) ?? []),
      consumedBy: sorted(consumers.get(s) ?? []),
      data: fieldsOf(s),
    }));
    const documented = subjects.map((s) => {
      const row = rows.get(s);
      return {
        subject: s,
        stream: first(row?.[1]),
        publishedBy: sorted(row?.[2]?.code ?? []),
        consumedBy: sorted(row?.[3]?.code ?? []),
        data: row?.[4]?.code ?? [],
      };
    });
    expectSameKeys(rows.keys(), subjects, 'subjects');
    expect(documented).toEqual(expected);
    // Every subject has exactly one publisher: the service that owns the aggregate.
    for (const row of expected) expect([row.subject, row.publishedBy.length]).toEqual([row.subject, 1]);
  });

  it('has the variables every service reads, with their defaults', () => {
    const rows = rowsByKey(['variable', 'default', 'meaning']);
    const shared = sharedVariables();
    expectSameKeys(rows.keys(), shared.keys(), 'shared variables');
    for (const [name, value] of shared) expect([name, first(rows.get(name)?.[1])]).toEqual([name, value]);
  });

  it("has each service's own variables, with their defaults and who reads them", async () => {
    const rows = rowsByKey(['variable', 'default', 'read by']);
    const variables = await serviceVariables();
    expectSameKeys(rows.keys(), variables.keys(), 'service variables');
    for (const [name, { default: value, services }] of variables) {
      const row = rows.get(name);
      expect([name, first(row?.[1]), sorted(row?.[2]?.code ?? [])]).toEqual([name, value, sorted(services)]);
    }
  });

  it('names no subject, route, variable or file that does not exist', () => {
    const catalogue = new Set<string>(subjects);
    const families = new Set(subjects.map((s) => s.slice(0, s.indexOf('.'))));
    const routes = httpRoutes();
    const routeKeys = new Set(routes.map((r) => `${r.method} ${r.path}`));
    // A path names a route (`/api/users/ada` is `/api/users/:username`) or a prefix of the route table.
    const paths = [...routes.map((r) => r.path), ...loadRouteTable().map((r) => r.prefix)].map(
      (path) => new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}$`),
    );
    // Namespaced stream names (`E2E1_POSTS`) look like variables.
    const streamBases = new EventNames().allStreams().map((s) => s.name);
    const namespacedStream = new RegExp(`^[A-Z0-9]+_(?:${streamBases.join('|')})$`);
    const unrouted = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics']);
    const code = codeText();
    const problems: string[] = [];
    for (const span of new Set(doc.codeSpans)) {
      const subject = /^([a-z]+)\.[a-z]+$/.exec(span);
      if (subject && families.has(subject[1]!) && !catalogue.has(span)) problems.push(`subject ${span}`);
      const route = /^(GET|POST|PUT|PATCH|DELETE|HEAD) (\/\S*)$/.exec(span);
      if (route) {
        const key = `${route[1]} ${route[2]!.replace(/\?.*$/, '')}`;
        if (!routeKeys.has(key) && !unrouted.has(key)) problems.push(`route ${span}`);
      }
      const path = span.replace(/\?.*$/, '');
      if (/^\/api\/\S*$/.test(path) && !paths.some((p) => p.test(path))) problems.push(`path ${span}`);
      const variable = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(span) && !namespacedStream.test(span);
      if (variable && !code.includes(span)) problems.push(`variable ${span}`);
      const file = /^(?:common|auth|posts|comments|moderation|query|client|infra|docs)\/[\w./@-]*$/.exec(span);
      if (file && !existsSync(join(root, span))) problems.push(`file ${span}`);
    }
    expect(problems).toEqual([]);
  });

  it('has links that lead somewhere in the repository', () => {
    expect(doc.links.length).toBeGreaterThan(0);
    expect(brokenLinks(root, docFile)).toEqual([]);
  });
});
