import { performance } from 'node:perf_hooks';
import type { EventBus } from '@postline/common';
import { EventFactory, uniqueNamespace } from '@postline/common/testing';
import { connectBus, startQuery, type QueryUnderTest } from '../../testing/start-query';

/**
 * Two query replicas on one database and one namespace, as in production: the
 * durable consumer gives each event to one of them, and the change notices
 * must make the other drop what it cached. After every change, both answer
 * with it within a bounded window; a replica that has received the change's
 * notice never answers with the state before it. The windows are measured and
 * printed, never asserted.
 */
const namespace = uniqueNamespace();
const database = `${namespace}-query-replicas`;
let replicas: QueryUnderTest[];
let bus: EventBus;
let events: EventFactory;
const author = { id: 'replauthor00000000000001', username: 'repl_author' };
const reader = { id: 'replreader00000000000001', username: 'repl_reader' };
const windows: { change: string; replica: number; freshAfterMs: number; noticeLagMs?: number }[] = [];

beforeAll(async () => {
  // One after the other: the first replays the (empty) streams, the second finds the read models ready.
  replicas = [await startQuery({ namespace, database }), await startQuery({ namespace, database })];
  bus = await connectBus(namespace);
  events = new EventFactory(bus);
});

afterAll(async () => {
  process.stdout.write(
    `stale windows (publish → both replicas answer with the change; notice lag = write on one replica → drop on the other):\n${windows
      .map(
        (w) =>
          `  ${w.change.padEnd(18)} replica ${w.replica}: fresh after ${w.freshAfterMs.toFixed(1)} ms${
            w.noticeLagMs === undefined ? ' (applied the event itself)' : `, notice lag ${w.noticeLagMs} ms`
          }`,
      )
      .join('\n')}\n`,
  );
  await bus.close();
  await Promise.all(replicas.map((r) => r.stop()));
});

const get = (replica: QueryUnderTest, path: string) => replica.http.get(`/api/query${path}`);

/** Both replicas' answers, for the paths a change shows on. */
async function warm(paths: string[]) {
  for (const replica of replicas) for (const path of paths) await get(replica, path);
}

/**
 * Publishes a change and polls both replicas until each answers with it. A
 * replica that had received the notice naming `label` (sent after the write)
 * before a request started must answer that request with the change.
 */
async function change(
  name: string,
  label: string,
  publish: () => Promise<void>,
  fresh: (replica: QueryUnderTest) => Promise<boolean>,
) {
  const since = Date.now();
  const started = performance.now();
  await publish();
  await Promise.all(
    replicas.map(async (replica, index) => {
      const notice = () => replica.parts.notices.received.find((n) => n.appliedAt >= since && n.labels.includes(label));
      // Polled every 2 ms (finer than `eventually`), so the window is measured, not the polling.
      for (const deadline = Date.now() + 10_000; ;) {
        const seenBefore = notice() !== undefined;
        const isFresh = await fresh(replica);
        if (seenBefore)
          expect({ change: name, replica: index, fresh: isFresh }).toEqual({
            change: name,
            replica: index,
            fresh: true,
          });
        if (isFresh) break;
        if (Date.now() > deadline) throw new Error(`replica ${index} did not answer with ${name} within 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      const seen = notice();
      windows.push({
        change: name,
        replica: index,
        freshAfterMs: performance.now() - started,
        noticeLagMs: seen && !seen.fromSelf ? seen.receivedAt - seen.appliedAt : undefined,
      });
    }),
  );
}

describe('two query replicas', () => {
  let first = '';
  let second = '';

  it('each answer a change as soon as either applied it', async () => {
    const a = events.postCreated(author, { title: 'Replicated one', tags: ['repl'] });
    const b = events.postCreated(author, { title: 'Replicated two', tags: ['repl'] });
    first = a.data.id;
    second = b.data.id;
    await events.publish(
      events.userCreated({ ...author, image: 'https://img.test/a.png' }),
      events.userCreated(reader),
    );
    await change(
      'new posts',
      'list:all',
      () => events.publish(a, b),
      async (r) => (await get(r, '/posts')).body.total === 2,
    );
    await warm(['/posts', `/posts/${first}`, '/posts?tag=repl', '/tags', `/users/${author.username}/posts`]);

    await change(
      'like',
      `post:${first}`,
      () => events.publish(events.liked(first, reader.id, 1)),
      async (r) => (await get(r, `/posts/${first}`)).body.post?.likeCount === 1,
    );

    const comment = events.commentCreated(first, reader, { body: 'replicated comment' });
    await change(
      'comment approved',
      `post:${first}`,
      () => events.publish(comment, events.moderated(comment.data, 0, 'approved')),
      async (r) => {
        const [list, page] = await Promise.all([get(r, '/posts'), get(r, `/posts/${first}`)]);
        const summary = list.body.posts.find((p: { id: string }) => p.id === first);
        return summary?.commentCount === 1 && page.body.post?.comments.length === 1;
      },
    );

    await change(
      'title edited',
      `post:${first}`,
      () => events.publish(events.postUpdated(a.data, { title: 'Edited title', tags: ['repl', 'edited'] })),
      async (r) => {
        const [page, tags] = await Promise.all([get(r, `/posts/${first}`), get(r, '/tags')]);
        return (
          page.body.post?.title === 'Edited title' && tags.body.tags.some((t: { tag: string }) => t.tag === 'edited')
        );
      },
    );

    await change(
      'author renamed',
      `user:${author.id}`,
      () =>
        events.publish(
          events.userUpdated({
            id: author.id,
            username: author.username,
            role: 'user',
            bio: 'hi',
            image: 'https://img.test/b.png',
          }),
        ),
      async (r) =>
        (await get(r, '/posts')).body.posts.every(
          (p: { author: { image: string } }) => p.author.image === 'https://img.test/b.png',
        ),
    );

    await change(
      'follow',
      `profile:${author.id}`,
      () => events.publish(events.followed(reader.id, author.id)),
      async (r) => (await get(r, `/users/${author.username}/posts`)).body.user?.followerCount === 1,
    );

    await change(
      'post deleted',
      'list:all',
      () => events.publish(events.postDeleted(b.data)),
      async (r) => {
        const [list, page, tagged] = await Promise.all([
          get(r, '/posts'),
          get(r, `/posts/${second}`),
          get(r, '/posts?tag=repl'),
        ]);
        return list.body.total === 1 && page.status === 404 && tagged.body.total === 1;
      },
    );

    // Every change reached both replicas (one applied each event; the other learnt it from the notice).
    expect(windows).toHaveLength(2 * 7);
  });
});
