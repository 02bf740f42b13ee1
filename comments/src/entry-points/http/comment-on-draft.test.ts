import type { EventData } from '@postline/common';
import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { factory, postAuthor } from '../../testing/fixtures';
import { startComments, type CommentsUnderTest } from '../../testing/start-comments';

/**
 * Nobody comments on a draft: comments keeps whether each post is published
 * (post.created, post.updated) and answers 404 for a draft as for an unknown
 * post. A draft published a moment ago is waited for (its post.updated may be
 * on its way), up to REPLICA_WAIT_MS.
 */
const REPLICA_WAIT_MS = 1_500;
let app: CommentsUnderTest;

beforeAll(async () => {
  app = await startComments(undefined, { REPLICA_WAIT_MS: String(REPLICA_WAIT_MS) });
});

afterAll(async () => {
  await app?.stop();
});

const reader = testUser({ username: 'reader' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The post at `version`, published or taken back to a draft. */
function postUpdated(post: EventData<'post.created'>, version: number, status: 'draft' | 'published') {
  const publishedAt = status === 'published' ? new Date().toISOString() : null;
  return factory.at(version).postUpdated(post, { status, publishedAt, publishAt: null });
}

const draftCreated = () => factory.postCreated(postAuthor(), { status: 'draft', publishedAt: null, publishAt: null });

const comment = (postId: string) =>
  app.http.post('/api/comments').set('Authorization', bearerFor(reader)).send({ postId, body: 'Hello' });

describe('comments on drafts', () => {
  it('a draft takes no comment; once published it does; unpublished, none again', async () => {
    const draft = draftCreated();
    await app.bus.publish(draft);
    await eventually(async () => (await app.posts.findById(draft.data.id)) ?? undefined);
    expect(await app.posts.findById(draft.data.id).lean()).toMatchObject({ published: false, version: 0 });

    const started = Date.now();
    await comment(draft.data.id).expect(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(REPLICA_WAIT_MS - 100); // waited for a publication that did not come

    await app.bus.publish(postUpdated(draft.data, 1, 'published'));
    await eventually(async () => (await app.posts.findById(draft.data.id))?.published === true);
    const res = await comment(draft.data.id).expect(201);
    await app.events.waitFor('comment.created', (e) => e.aggregateId === res.body.id);

    await app.bus.publish(postUpdated(draft.data, 2, 'draft'));
    await eventually(async () => (await app.posts.findById(draft.data.id))?.published === false);
    await comment(draft.data.id).expect(404);
    expect(await app.comments.countDocuments({ postId: draft.data.id })).toBe(1);
  });

  it('waits for a publication on its way', async () => {
    const draft = draftCreated();
    await app.bus.publish(draft);
    await eventually(async () => (await app.posts.findById(draft.data.id)) ?? undefined);
    const answer = comment(draft.data.id);
    await sleep(300);
    await app.bus.publish(postUpdated(draft.data, 1, 'published'));
    expect((await answer).status).toBe(201);
  });

  it('an old post.created (no status) is published; an older post.updated never undoes a newer one', async () => {
    const created = factory.postCreated(postAuthor()); // no status, as before drafts existed
    await app.bus.publish(created);
    await eventually(async () => (await app.posts.findById(created.data.id)) ?? undefined);
    expect((await app.posts.findById(created.data.id))?.published).toBe(true);
    await app.bus.publish(postUpdated(created.data, 3, 'published'));
    await app.bus.publish(postUpdated(created.data, 2, 'draft'));
    await eventually(async () => (await app.posts.findById(created.data.id))?.version === 3);
    await app.untilSettled(); // version 2 handled too
    expect(await app.posts.findById(created.data.id).lean()).toMatchObject({ published: true, version: 3 });
    await app.bus.publish(factory.at(4).postDeleted(created.data));
    await eventually(async () => (await app.posts.findById(created.data.id))?.deleted === true);
    await comment(created.data.id).expect(404);
  });

  it("a post taken back to a draft is its author's alone, comments included: 404 to everyone else", async () => {
    const author = postAuthor();
    const created = factory.postCreated(author);
    await app.bus.publish(created);
    await eventually(async () => (await app.posts.findById(created.data.id)) ?? undefined);
    const res = await comment(created.data.id).expect(201);
    await app.bus.publish(factory.at(0).moderated(res.body, 0, 'approved'));
    await eventually(async () => (await app.comments.findById(res.body.id))?.status === 'approved');
    const commentUrl = `/api/comments/${res.body.id}`;
    await app.http.get(commentUrl).expect(200);

    await app.bus.publish(postUpdated(created.data, 1, 'draft'));
    await eventually(async () => (await app.posts.findById(created.data.id))?.published === false);
    const moderator = bearerFor(testUser({ username: 'moder', role: 'moderator' }));
    for (const who of [undefined, bearerFor(reader), moderator]) {
      const asked = app.http.get(commentUrl);
      await (who ? asked.set('Authorization', who) : asked).expect(404);
    }
    // The comment's own author can neither edit nor delete it while the post is not on show.
    await app.http.put(commentUrl).set('Authorization', bearerFor(reader)).send({ body: 'Edited' }).expect(404);
    await app.http.delete(commentUrl).set('Authorization', bearerFor(reader)).expect(404);
    // The post's author still sees it.
    const postAuthorToken = bearerFor(testUser({ id: author.id, username: author.username }));
    await app.http.get(commentUrl).set('Authorization', postAuthorToken).expect(200);

    await app.bus.publish(postUpdated(created.data, 2, 'published'));
    await eventually(async () => (await app.posts.findById(created.data.id))?.published === true);
    expect((await app.http.get(commentUrl).expect(200)).body).toMatchObject({ body: 'Hello', status: 'approved' });
  });

  it('a post.updated before its post.created waits for it', async () => {
    const created = factory.postCreated(postAuthor());
    await app.publishOutOfOrder(postUpdated(created.data, 1, 'published'));
    expect(await app.posts.findById(created.data.id)).toBeNull();
    await app.bus.publish(created);
    await eventually(async () => (await app.posts.findById(created.data.id))?.version === 1, 10_000);
  });
});
