import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerFor, eventually, testUser } from '@postline/common/testing';
import type { Platform } from '../local/platform';
import { ApiUser } from './api-client';
import { startTestPlatform, type TestPlatform } from './test-platform';

/**
 * Traces as an operator gets them: every service its own process behind the gateway, with
 * OTEL_EXPORTER_OTLP_ENDPOINT naming a collector (here a bare HTTP server keeping the OTLP/JSON it
 * receives). A comment POSTed through the gateway with a `traceparent` ends up as one trace across
 * the comments, moderation and query processes.
 */
jest.setTimeout(180_000);

/** One span as OTLP/JSON carries it, with the service.name of its resource. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes?: { key: string; value: { stringValue?: string; arrayValue?: { values: { stringValue?: string }[] } } }[];
}
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
/** An attempt that failed, e.g. a delivery retried later (a decision that overtook its comment). */
const STATUS_ERROR = 2;
const completed = (span: ExportedSpan) => span.status?.code !== STATUS_ERROR;

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: Omit<ExportedSpan, 'service'>[] }[];
  }[];
}

describe('traces across the platform', () => {
  let running: TestPlatform;
  let platform: Platform;
  let collector: Server;
  const spans: ExportedSpan[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          for (const resourceSpans of (JSON.parse(body) as OtlpJson).resourceSpans ?? []) {
            const attributes = resourceSpans.resource?.attributes ?? [];
            const service = attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const scope of resourceSpans.scopeSpans ?? []) {
              for (const span of scope.spans ?? []) spans.push({ ...span, service });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    }).listen(0, '127.0.0.1');
    await once(collector, 'listening');
    running = await startTestPlatform('tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      // Batches every 200 ms rather than 5 s, so the test need not wait.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OUTBOX_SWEEP_MS: '500',
    });
    platform = running.platform;
  });

  afterAll(async () => {
    await running?.stop();
    collector?.close();
  });

  it("follows a comment from the gateway through comments' outbox, moderation and query", async () => {
    const alice = await ApiUser.signUp(platform.url, 'alice');
    const post = await alice.expect<{ id: string }>(201, 'POST', '/api/posts', { title: 'Traced', body: 'Text' });

    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const token = bearerFor(testUser({ id: alice.id, username: 'alice' }), platform.tokenKeys.privateKey);
    // The post reaches comments by event: until then a comment on it is refused.
    const comment = await eventually(
      async () => {
        const res = await fetch(`${platform.url}/api/comments`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: token,
            traceparent: `00-${traceId}-${callerSpanId}-01`,
          },
          body: JSON.stringify({ postId: post.id, body: 'Thanks, this helped me a lot.' }),
        });
        return (
          res.status === 201 && {
            ...((await res.json()) as { id: string }),
            requestId: res.headers.get('x-request-id'),
          }
        );
      },
      15_000,
      'the comment accepted',
    );
    await eventually(
      async () => {
        const res = await alice.request<{ post: { comments: { id: string; status: string }[] } }>(
          'GET',
          `/api/query/posts/${post.id}`,
        );
        return res.body.post?.comments.some((c) => c.id === comment.id && c.status === 'approved');
      },
      15_000,
      'the comment approved in query',
    );

    const find = (service: string, kind: number, name: RegExp) =>
      spans.find(
        (s) => s.traceId === traceId && s.service === service && s.kind === kind && name.test(s.name) && completed(s),
      );
    const chain = await eventually(
      () => {
        const request = find('comments', SERVER, /^POST /);
        const published = find('comments', PRODUCER, /^publish comment\.created$/);
        const judged = find('moderation', CONSUMER, /^process comment\.created$/);
        const decided = find('moderation', PRODUCER, /^publish comment\.moderated$/);
        const read = find('query', CONSUMER, /^process comment\.moderated$/);
        const readCreated = find('query', CONSUMER, /^process comment\.created$/);
        return (
          request &&
          published &&
          judged &&
          decided &&
          read &&
          readCreated && { request, published, judged, decided, read, readCreated }
        );
      },
      15_000,
      'the spans of the trace exported',
    );
    expect(chain.request.name).toBe('POST /api/comments');
    // The request's id, as its log lines carry it.
    const requestId = chain.request.attributes?.find((a) => a.key === 'http.response.header.x-request-id');
    expect(requestId?.value.arrayValue?.values.map((v) => v.stringValue)).toEqual([comment.requestId]);
    // One server span per request: the instrumentation patched `http` once, not once more on a later require.
    expect(spans.filter((s) => s.traceId === traceId && s.kind === SERVER)).toHaveLength(1);
    // The gateway passed the caller's traceparent on: the service's span is its child.
    expect(chain.request.parentSpanId).toBe(callerSpanId);
    expect(chain.published.parentSpanId).toBe(chain.request.spanId);
    expect(chain.judged.parentSpanId).toBe(chain.published.spanId);
    expect(chain.decided.parentSpanId).toBe(chain.judged.spanId);
    expect(chain.read.parentSpanId).toBe(chain.decided.spanId);
    // query took the comment itself in a child of comments' publish, too.
    expect(chain.readCreated.parentSpanId).toBe(chain.published.spanId);
    const attribute = (span: ExportedSpan, key: string) =>
      span.attributes?.find((a) => a.key === key)?.value.stringValue;
    expect(attribute(chain.published, 'messaging.message.id')).toBeDefined();
    expect(attribute(chain.read, 'messaging.consumer.group.name')).toBe('query');
    // Each step completed once: no span of the chain was made twice (a second publish or consume).
    // Failed attempts may precede it (a delivery retried later), each in the same trace.
    for (const span of Object.values(chain)) {
      const same = spans.filter(
        (s) =>
          s.traceId === traceId &&
          s.service === span.service &&
          s.kind === span.kind &&
          s.name === span.name &&
          completed(s),
      );
      expect(same).toHaveLength(1);
    }
  });

  // An author's page: rendered per request from query and auth (the home, post and tag pages come
  // from the client's page cache, rendered once per change for every reader, outside any reader's trace).
  it("follows a page through the client's server side into the service requests it renders from", async () => {
    const bob = await ApiUser.signUp(platform.url, 'bob');
    await bob.expect<{ id: string }>(201, 'POST', '/api/posts', { title: 'Rendered', body: 'Text' });
    await eventually(
      async () => (await bob.request('GET', '/api/query/users/bob/posts')).text.includes('Rendered'),
      15_000,
      "the post on its author's page in query",
    );

    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const page = await fetch(`${platform.url}/users/bob`, {
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Rendered');

    const inTrace = () => spans.filter((s) => s.traceId === traceId);
    const found = await eventually(
      () => {
        const pageSpan = inTrace().find(
          (s) => s.service === 'client' && s.kind === SERVER && s.parentSpanId === callerSpanId,
        );
        // query answers its reads before Express, so its span is named by the method alone: found by service.
        const read = inTrace().find((s) => s.service === 'query' && s.kind === SERVER);
        const user = inTrace().find((s) => s.service === 'auth' && s.kind === SERVER);
        return pageSpan && read && user && { pageSpan, read, user };
      },
      15_000,
      "the client's and the services' spans exported",
    );
    // The client's own spans (Next.js makes some for rendering) lead from the service's request up to the page's.
    const ancestors = (span: ExportedSpan): ExportedSpan[] => {
      const parent = inTrace().find((s) => s.spanId === span.parentSpanId);
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    for (const request of [found.read, found.user]) {
      const chain = ancestors(request);
      expect(chain[0]?.service).toBe('client');
      expect(chain.map((s) => s.spanId)).toContain(found.pageSpan.spanId);
      expect(chain.filter((s) => s.service !== 'client')).toEqual([]);
    }
    // One span of the client's under the caller's: the HTTP instrumentation's (Next.js's own
    // request spans, named after the route, are its children), carrying the page's route pattern.
    expect(found.pageSpan.name).toBe('GET /users/[username]');
    expect(found.pageSpan.attributes?.find((a) => a.key === 'http.route')?.value.stringValue).toBe('/users/[username]');
    expect(inTrace().filter((s) => s.service === 'client' && s.parentSpanId === callerSpanId)).toHaveLength(1);
  });
});
