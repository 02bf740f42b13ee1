/**
 * One trace from a comment's POST to the read model: posts, comments, moderation and query run
 * in-process in one namespace against the real database and nats-server, with tracing on and an
 * in-memory exporter. The trace context travels only the way it does in production: the HTTP
 * `traceparent` header, the outbox, NATS message headers. Imports other workspaces' starters,
 * so it is left out of moderation's `tsc -b` build (see tsconfig.json).
 */
import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing } from '@postline/common';
import { bearerFor, eventually, testUser, uniqueNamespace } from '@postline/common/testing';
import { startComments, type CommentsUnderTest } from '../../../comments/src/testing/start-comments';
import { startPosts, type PostsUnderTest } from '../../../posts/src/testing/start-posts';
import { startQuery, type QueryUnderTest } from '../../../query/src/testing/start-query';
import { startModeration, type ModerationUnderTest } from '../testing/start-moderation';

const exporter = new InMemorySpanExporter();
let posts: PostsUnderTest;
let comments: CommentsUnderTest;
let moderation: ModerationUnderTest;
let query: QueryUnderTest;

beforeAll(async () => {
  // Before the services start, as serviceMain does; one provider for the four (one process here).
  expect(startTracing({ serviceName: 'postline', exporter })).toBe(true);
  const namespace = uniqueNamespace();
  posts = await startPosts({ namespace });
  comments = await startComments(namespace);
  moderation = await startModeration(namespace);
  query = await startQuery({ namespace });
}, 60_000);

afterAll(async () => {
  await query?.stop();
  await moderation?.stop();
  await comments?.stop();
  await posts?.stop();
  await stopTracing();
});

const alice = testUser({ username: 'alice' });
const as = (user: ReturnType<typeof testUser>) => ['Authorization', bearerFor(user)] as const;

/** The spans of one trace, by the service that made them (the tracer is named after it). */
function spansOf(traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
}

function theOne(spans: ReadableSpan[], what: string, test: (span: ReadableSpan) => boolean): ReadableSpan {
  const found = spans.filter(test);
  if (found.length !== 1) {
    const seen = spans.map((s) => `${s.instrumentationScope.name}: ${s.name}`).join(', ');
    throw new Error(`expected one ${what}, found ${found.length} among [${seen}]`);
  }
  return found[0]!;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe('trace propagation', () => {
  it("follows a comment from its POST through the outbox, moderation's decision and query's read model", async () => {
    const post = (
      await posts.http
        .post('/api/posts')
        .set(...as(alice))
        .send({ title: 'Traced', body: 'Some text' })
        .expect(201)
    ).body as { id: string };
    await eventually(async () => (await comments.posts.exists({ _id: post.id })) !== null, 10_000, 'post in comments');

    // As the gateway would pass it on: a trace begun upstream.
    const traceId = randomBytes(16).toString('hex');
    const gatewaySpanId = randomBytes(8).toString('hex');
    const created = await comments.http
      .post('/api/comments')
      .set(...as(alice))
      .set('traceparent', `00-${traceId}-${gatewaySpanId}-01`)
      .send({ postId: post.id, body: 'Thanks, this helped me a lot.' })
      .expect(201);
    const commentId = created.body.id as string;

    await eventually(
      async () => {
        const res = await query.http.get(`/api/query/posts/${post.id}`);
        const listed = (res.body?.post?.comments ?? []) as { id: string }[];
        return res.status === 200 && listed.some((c) => c.id === commentId);
      },
      15_000,
      'the approved comment in query',
    );
    // Query's span ends right after its write; wait for both of its consumes to be exported.
    const spans = await eventually(
      () => {
        const traced = spansOf(traceId);
        const consumed = traced.filter((s) => s.instrumentationScope.name === 'query' && s.kind === SpanKind.CONSUMER);
        return consumed.length >= 2 && traced;
      },
      5_000,
      'query consume spans exported',
    );

    // comments: the HTTP request, child of the gateway's span, then the outbox's publish.
    const request = theOne(spans, 'comments HTTP span', (s) => s.kind === SpanKind.SERVER);
    expect(parentOf(request)).toBe(gatewaySpanId);
    expect(request.name).toBe('POST /api/comments');
    const commentPublish = theOne(spans, 'comments publish', (s) => s.name === 'publish comment.created');
    expect(commentPublish).toMatchObject({ kind: SpanKind.PRODUCER, instrumentationScope: { name: 'comments' } });
    expect(commentPublish.attributes['messaging.message.id']).toBeDefined();
    expect(parentOf(commentPublish)).toBe(idOf(request));

    // moderation: consumes comment.created in a child of that publish, and publishes its decision from there.
    const judged = theOne(
      spans,
      'moderation consume',
      (s) => s.instrumentationScope.name === 'moderation' && s.name === 'process comment.created',
    );
    expect(judged.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(judged)).toBe(idOf(commentPublish));
    const decision = theOne(spans, 'moderation publish', (s) => s.name === 'publish comment.moderated');
    expect(decision.instrumentationScope.name).toBe('moderation');
    expect(parentOf(decision)).toBe(idOf(judged));

    // query: the read model takes the comment and then the decision, each in a child of its publish.
    const queryCreated = theOne(
      spans,
      'query consume of comment.created',
      (s) => s.instrumentationScope.name === 'query' && s.name === 'process comment.created',
    );
    expect(parentOf(queryCreated)).toBe(idOf(commentPublish));
    const queryDecision = theOne(
      spans,
      'query consume of comment.moderated',
      (s) => s.instrumentationScope.name === 'query' && s.name === 'process comment.moderated',
    );
    expect(parentOf(queryDecision)).toBe(idOf(decision));
    expect(queryDecision.attributes['messaging.consumer.group.name']).toBe('query');
  });
});
