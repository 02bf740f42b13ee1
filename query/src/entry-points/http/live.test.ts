import type { EventBus } from '@postline/common';
import { bearerFor, EventFactory, eventually, testUser, uniqueNamespace } from '@postline/common/testing';
import { openLive, type LiveClient, type LiveEvent } from '../../testing/live-client';
import { connectBus, startQuery, type QueryUnderTest } from '../../testing/start-query';

/**
 * GET /api/query/live against two real query replicas on one database and
 * namespace (real MongoDB, real nats-server): the durable consumer hands each
 * event to one of them, and every stream, on either replica, gets the change.
 */
const namespace = uniqueNamespace();
const database = `${namespace}-query-live`;
const maxOnFirst = 5;
let replicas: QueryUnderTest[];
let bus: EventBus;
let events: EventFactory;
const clients: LiveClient[] = [];
const author = testUser({ id: 'liveauthor00000000000001', username: 'live_author' });
const commenter = testUser({ id: 'livecommenter00000000001', username: 'live_commenter' });
const other = testUser({ id: 'liveother000000000000001', username: 'live_other' });

beforeAll(async () => {
  const env = { QUERY_LIVE_HEARTBEAT_MS: '200', QUERY_LIVE_REPLAY_SIZE: '50' };
  // One after the other: the first replays the (empty) streams, the second finds the read models ready.
  replicas = [
    await startQuery({ namespace, database, env: { ...env, QUERY_LIVE_MAX_CONNECTIONS: String(maxOnFirst) } }),
    await startQuery({ namespace, database, env }),
  ];
  bus = await connectBus(namespace);
  events = new EventFactory(bus);
});

afterEach(async () => {
  for (const client of clients.splice(0)) {
    client.close();
    await client.closed;
  }
});

afterAll(async () => {
  await bus.close();
  // Streams still open: stopping must end them rather than wait for them.
  await Promise.all(replicas.map((r) => r.stop()));
});

async function live(replica: number, options: Parameters<typeof openLive>[1] = {}): Promise<LiveClient> {
  const client = await openLive(replicas[replica]!.service.port, options);
  clients.push(client);
  return client;
}

type CommentData = { comment: { id: string; status: string; reason: string; body: string }; rev: number };
const aboutComment = (id: string, status?: string) => (e: LiveEvent) =>
  e.event === 'comment' &&
  (e.data as CommentData).comment.id === id &&
  (status === undefined || (e.data as CommentData).comment.status === status);

/** Which replica applied the change a live event carries (the one whose notice came from itself). */
function appliedBy(id: string): number {
  const origin = id.slice(0, id.lastIndexOf('.'));
  const index = replicas.findIndex((r) => r.parts.notices.origin === origin);
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
}

describe('GET /api/query/live', () => {
  const post = { id: '' };

  it('streams a post page and a signed-in user their changes, from whichever replica applied them', async () => {
    const created = events.postCreated(author, { title: 'Live post' });
    post.id = created.data.id;
    await events.publish(events.userCreated(author), events.userCreated(commenter), events.userCreated(other), created);
    for (const replica of replicas)
      await eventually(async () => (await replica.http.get(`/api/query/posts/${post.id}`)).status === 200);

    // A signed-out reader on each replica, the commenter on the second, another signed-in reader on the first.
    const readers = [await live(0, { post: post.id }), await live(1, { post: post.id })];
    const mine = await live(1, { post: post.id, authorization: bearerFor(commenter) });
    const others = await live(0, { post: post.id, authorization: bearerFor(other) });
    for (const client of [...readers, mine, others]) {
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(client.headers['x-accel-buffering']).toBe('no');
      await client.next((e) => e.event === 'ready');
    }

    // Pending, then rejected with its reason: only for its author.
    const hidden = events.commentCreated(post.id, commenter, { body: 'not for everyone' });
    await events.publish(hidden);
    const pending = await mine.next(aboutComment(hidden.data.id, 'pending'));
    expect((pending.data as CommentData).comment.body).toBe('not for everyone');
    await events.publish(events.moderated(hidden.data, 0, 'rejected', 'off topic'));
    const rejected = await mine.next(aboutComment(hidden.data.id, 'rejected'));
    expect((rejected.data as CommentData).comment.reason).toBe('off topic');
    expect((rejected.data as CommentData).rev).toBeGreaterThan((pending.data as CommentData).rev);

    // Approved: everyone reading the post, on both replicas, without the reason.
    const shown = events.commentCreated(post.id, commenter, { body: 'for everyone' });
    await events.publish(shown, events.moderated(shown.data, 0, 'approved', 'fine'));
    // The comment and its decision are applied concurrently: the comment may come first with the count before it
    // (as the post page may show it a moment before the count); the change that synced the count follows with it.
    const counted = (e: LiveEvent) =>
      aboutComment(shown.data.id, 'approved')(e) &&
      (e.data as { post: { commentCount: number } }).post.commentCount === 1;
    const seen = await Promise.all([...readers, others].map((c) => c.next(counted)));
    for (const event of seen) expect(event.data).toMatchObject({ comment: { body: 'for everyone', reason: '' } });
    const ownView = await mine.next(aboutComment(shown.data.id, 'approved'));
    expect(ownView.data).toMatchObject({ comment: { reason: 'fine' } });
    // A change has the same id on both replicas: one applied it, and each read back what its own streams show of it.
    const noticed = (replica: number) =>
      replicas[replica]!.parts.notices.received.flatMap((n) => (n.live ? [`${n.origin}.${n.live.seq}`] : []));
    for (const event of seen) for (const replica of [0, 1]) expect(noticed(replica)).toContain(event.id);
    expect([0, 1]).toContain(appliedBy(seen[0]!.id!));

    // Likes and a deletion of a public comment.
    await events.publish(events.liked(post.id, other.id, 1));
    for (const client of readers)
      await client.next((e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 1);
    await events.publish(events.commentDeleted(shown.data));
    for (const client of readers)
      expect((await client.next((e) => e.event === 'comment-removed')).data).toMatchObject({
        id: shown.data.id,
        post: { commentCount: 0 },
      });

    // Nobody but the commenter ever received the pending or rejected comment, nor any reason.
    for (const client of [...readers, others]) {
      const text = JSON.stringify(client.events);
      expect(text).not.toContain(hidden.data.id);
      expect(text).not.toContain('not for everyone');
      expect(text).not.toContain('off topic');
      expect(text).not.toContain('"reason":"fine"');
    }
    // Heartbeats keep the streams open.
    await eventually(() => [...readers, mine, others].every((c) => c.heartbeats > 0), 5_000, 'heartbeats');
  });

  it('delivers changes applied on one replica to a stream on the other', async () => {
    const onFirst = await live(0, { post: post.id });
    const onSecond = await live(1, { post: post.id });
    await Promise.all([onFirst, onSecond].map((c) => c.next((e) => e.event === 'ready')));
    // Each stream gets each change: one of the two replicas applied it, the other learnt it from the notice.
    for (let likes = 2; likes <= 4; likes++) {
      await events.publish(events.liked(post.id, `liker${likes}`.padEnd(24, '0'), likes));
      const [a, b] = await Promise.all(
        [onFirst, onSecond].map((c) =>
          c.next((e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === likes),
        ),
      );
      expect(a!.id).toBe(b!.id);
      const applier = appliedBy(a!.id!);
      const notice = replicas[1 - applier]!.parts.notices.received.find(
        (n) => n.labels.includes(`post:${post.id}`) && !n.fromSelf,
      );
      expect(notice).toBeDefined();
    }
  });

  it('resumes after Last-Event-ID on either replica without missing a change, and says reload when it cannot', async () => {
    const reader = await live(1, { post: post.id });
    await reader.next((e) => e.event === 'ready');
    await events.publish(events.unliked(post.id, other.id, 6));
    await reader.next((e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 6);
    const lastSeen = reader.lastEventId!;
    expect(lastSeen).toBeDefined();
    reader.close();
    await reader.closed;

    // Missed while away: a comment approved, a like, a comment edited while still approved.
    const later = events.commentCreated(post.id, commenter, { body: 'while you were away' });
    await events.publish(later, events.moderated(later.data, 0, 'approved'));
    await events.publish(events.liked(post.id, commenter.id, 7));
    await events.publish(events.commentUpdated(later.data, { body: 'edited while away', status: 'approved' }));
    const watcher = await live(0, { post: post.id });
    await watcher.next(aboutComment(later.data.id, 'approved'));
    await watcher.next((e) => e.event === 'comment' && (e.data as CommentData).comment.body === 'edited while away');

    for (const replica of [0, 1]) {
      const resumed = await live(replica, { post: post.id, lastEventId: lastSeen });
      const approved = await resumed.next(aboutComment(later.data.id, 'approved'));
      const liked = await resumed.next(
        (e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 7,
      );
      const edited = await resumed.next(
        (e) => e.event === 'comment' && (e.data as CommentData).comment.body === 'edited while away',
      );
      expect(resumed.events.some((e) => e.event === 'reload' || e.event === 'ready')).toBe(false);
      // The streams are applied in parallel, so the order between them varies: the newest by rev is the comment now.
      const newest = [approved, edited].sort((x, y) => (y.data as CommentData).rev - (x.data as CommentData).rev)[0]!;
      expect((newest.data as CommentData).comment).toMatchObject({ body: 'edited while away', status: 'approved' });
      expect(liked.id).toBeDefined();
      resumed.close();
    }

    const unknown = await live(1, { post: post.id, lastEventId: 'not-a-known-id.12' });
    const reload = await unknown.next((e) => e.event === 'reload');
    // It carries the newest id, so the next resume starts there.
    expect(reload.id).toBe(unknown.lastEventId);
    expect(reload.id).toBeDefined();
    unknown.close();
  });

  it('tells a resume from before what the replica keeps to reload', async () => {
    const reader = await live(0, { post: post.id });
    await reader.next((e) => e.event === 'ready');
    await events.publish(events.liked(post.id, 'oldlike00000000000000001', 8));
    await reader.next((e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 8);
    const old = reader.lastEventId!;
    reader.close();
    // QUERY_LIVE_REPLAY_SIZE is 50 here: 60 changes push the old one out.
    const flood = events.postCreated(author, { title: 'Flooded' });
    await events.publish(flood);
    for (let i = 0; i < 60; i++) await events.publish(events.liked(flood.data.id, `flood${i}`.padEnd(24, '0'), i + 1));
    const watcher = await live(0, { post: flood.data.id });
    await watcher.next(
      (e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 60,
      20_000,
    );
    const resumed = await live(0, { post: post.id, lastEventId: old });
    await resumed.next((e) => e.event === 'reload');
  });

  it('sends nothing of a draft: an unpublished post is gone for its readers, its later changes unsent', async () => {
    const created = events.postCreated(author, { title: 'Soon a draft' });
    await events.publish(created);
    await eventually(async () => (await replicas[0]!.http.get(`/api/query/posts/${created.data.id}`)).status === 200);
    const reader = await live(0, { post: created.data.id });
    await reader.next((e) => e.event === 'ready');
    await events.publish(events.postUpdated(created.data, { status: 'draft', publishedAt: null }));
    await reader.next((e) => e.event === 'post-deleted');
    await events.publish(events.postUpdated(created.data, { status: 'draft', publishedAt: null, title: 'Secret' }));
    await events.publish(events.liked(created.data.id, other.id, 1));
    // A later change of another post, on the same stream's replica: by then the draft's would have come.
    const marker = await live(0, { post: post.id });
    await marker.next((e) => e.event === 'ready');
    await events.publish(events.liked(post.id, 'markerlike00000000000001', 9));
    await marker.next((e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 9);
    await new Promise((r) => setTimeout(r, 300));
    expect(reader.events.filter((e) => e.event === 'post')).toEqual([]);
    expect(JSON.stringify(reader.events)).not.toContain('Secret');
  });

  it("tells nobody of a draft, not even that its id exists; a comment's author hears nothing while its post is a draft", async () => {
    const draft = events.postCreated(author, { title: 'Hidden', status: 'draft', publishedAt: null, publishAt: null });
    const commented = events.postCreated(author, { title: 'Commented, then unpublished' });
    await events.publish(draft, commented);
    const pending = events.commentCreated(commented.data.id, commenter, { body: 'said before the unpublication' });
    await events.publish(pending);
    const commenterStream = await live(0, { authorization: bearerFor(commenter) });
    await commenterStream.next(aboutComment(pending.data.id, 'pending'));
    await events.publish(events.postUpdated(commented.data, { status: 'draft', publishedAt: null }));
    await eventually(async () => (await replicas[0]!.http.get(`/api/query/posts/${commented.data.id}`)).status === 404);

    const guesser = await live(0, { post: draft.data.id });
    await guesser.next((e) => e.event === 'ready');
    await events.publish(events.postUpdated(draft.data, { status: 'draft', publishedAt: null, title: 'Still hidden' }));
    await events.publish(events.liked(draft.data.id, other.id, 1));
    await events.publish(events.postDeleted(draft.data));
    await events.publish(events.moderated(pending.data, 0, 'approved'));
    // A later change of another post, on the same replica: by then the draft's would have come.
    const marker = await live(0, { post: post.id });
    await marker.next((e) => e.event === 'ready');
    await events.publish(events.liked(post.id, 'markerlike00000000000002', 11));
    await marker.next((e) => e.event === 'post' && (e.data as { post: { likeCount: number } }).post.likeCount === 11);
    await new Promise((r) => setTimeout(r, 300));
    expect(guesser.events.map((e) => e.event)).toEqual(['ready']);
    expect(commenterStream.events.filter(aboutComment(pending.data.id, 'approved'))).toEqual([]);
  });

  it("ends a signed-in reader's stream when their session expires", async () => {
    // 3 s: a token that expired before the request arrived would make a signed-out stream, which never ends.
    const expiring = await live(1, { post: post.id, authorization: bearerFor(commenter, undefined, 3) });
    await expiring.next((e) => e.event === 'ready');
    const started = Date.now();
    await expiring.closed;
    // Within a heartbeat (200 ms here) of the token's expiry (whole seconds).
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 400 for nothing to follow or a bad post id, and 503 beyond the connection limit', async () => {
    const nothing = await live(0);
    expect(nothing.status).toBe(400);
    expect(nothing.events[0]!.data).toEqual({ errors: [expect.objectContaining({ field: 'post' })] });
    const bad = await live(0, { path: '/api/query/live?post=%3Cscript%3E' });
    expect(bad.status).toBe(400);
    // HEAD: the stream's headers and the end, not a stream that never ends (found by the fuzzer).
    const head = await replicas[0]!.http.head(`/api/query/live?post=${post.id}`).timeout(5_000);
    expect([head.status, head.headers['content-type']]).toEqual([200, 'text/event-stream; charset=utf-8']);
    const unknownField = await live(0, { path: `/api/query/live?post=${post.id}&since=1` });
    expect(unknownField.status).toBe(400);
    expect(unknownField.events[0]!.data).toEqual({ errors: [{ message: 'Unknown field', field: 'since' }] });

    // Closed streams are forgotten at once; then the first replica takes `maxOnFirst` at most.
    await eventually(() => replicas[0]!.parts.live.connections === 0, 5_000, 'closed streams removed');
    const opened: LiveClient[] = [];
    for (let i = 0; i < maxOnFirst; i++) opened.push(await live(0, { post: post.id }));
    expect(opened.map((c) => c.status)).toEqual(Array(maxOnFirst).fill(200));
    const refused = await live(0, { post: post.id });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.events[0]!.data).toEqual({ errors: [{ message: expect.stringContaining('Too many live') }] });
    // Left open: stopping the replicas must end them (afterAll).
    clients.splice(0);
  });

  it('lets one client hold a few streams on a replica, not every one: more get 429', async () => {
    await eventually(() => replicas[1]!.parts.live.connections === 0, 5_000, 'earlier streams closed');
    // Here every anonymous stream comes from 127.0.0.1: one client. The default is 8.
    const opened: LiveClient[] = [];
    for (let i = 0; i < 8; i++) opened.push(await live(1, { post: post.id }));
    expect(opened.map((c) => c.status)).toEqual(Array(8).fill(200));
    const refused = await live(1, { post: post.id });
    expect([refused.status, refused.headers['retry-after']]).toEqual([429, '10']);
    expect(refused.events[0]!.data).toEqual({ errors: [{ message: expect.stringContaining('from this client') }] });
    // A signed-in reader is counted by account, not by the address they share.
    const signedIn = await live(1, { post: post.id, authorization: bearerFor(commenter) });
    expect(signedIn.status).toBe(200);
    // A closed stream frees its place.
    opened[0]!.close();
    await opened[0]!.closed;
    await eventually(() => replicas[1]!.parts.live.connections === 8, 5_000, 'closed stream forgotten');
    expect((await live(1, { post: post.id })).status).toBe(200);
  });
});
