import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { eventually } from '@postline/common/testing';
import type { PostDetail, PostPage } from '@postline/common/api';
import type { Platform } from '../local/platform';
import { ApiUser } from './api-client';
import { quickEventsEnv, startTestPlatform, type TestPlatform } from './test-platform';

/**
 * The blog through the gateway, every service its own process against real
 * database and nats-server: the scenario of the blog-core issue.
 */
jest.setTimeout(180_000);

describe('the blog, end to end', () => {
  let running: TestPlatform;
  let platform: Platform;

  beforeAll(async () => {
    running = await startTestPlatform('e2e', { ...quickEventsEnv, MODERATOR_EMAILS: 'mod@example.test' });
    platform = running.platform;
  });

  afterAll(async () => {
    await running?.stop();
  });

  const postPage = (user: ApiUser, id: string) => user.request<{ post: PostDetail }>('GET', `/api/query/posts/${id}`);

  it('runs the whole story: follow, post, moderated comments, likes, edits, feed and delete', async () => {
    const alice = await ApiUser.signUp(platform.url, 'alice');
    const bob = await ApiUser.signUp(platform.url, 'bob');
    const mod = await ApiUser.signUp(platform.url, 'mod');
    await mod.verifyEmail(running.mailbox); // the role goes to a verified address only
    const anonymous = new ApiUser(platform.url);
    await bob.expect(200, 'POST', '/api/users/alice/follow');

    const post = await alice.expect<{ id: string; slug: string; tags: string[] }>(201, 'POST', '/api/posts', {
      title: 'Markets of Valencia',
      body: 'The *best* oranges are found early in the morning.',
      tags: ['Travel', ' food ', 'travel'],
    });
    expect(post.tags.sort()).toEqual(['food', 'travel']);

    // The post reaches the read models: by id, by slug, in lists, under its tag, in the feed.
    const page = await eventually(
      async () => {
        const res = await postPage(anonymous, post.slug);
        return res.status === 200 && res.body.post;
      },
      15_000,
      'post page',
    );
    expect(page).toMatchObject({ id: post.id, title: 'Markets of Valencia', likeCount: 0, comments: [] });
    const byTag = await anonymous.expect<PostPage>(200, 'GET', '/api/query/posts?tag=travel');
    expect(byTag.posts.map((p) => p.id)).toContain(post.id);
    const feed = await bob.expect<PostPage>(200, 'GET', '/api/query/feed');
    expect(feed.posts.map((p) => p.id)).toEqual([post.id]);
    expect((await alice.expect<PostPage>(200, 'GET', '/api/query/feed')).posts).toEqual([]);

    // Comments stay pending while moderation is down, then are decided within seconds.
    await platform.stopService('moderation');
    const clean = await bob.expect<{ id: string; status: string }>(201, 'POST', '/api/comments', {
      postId: post.id,
      body: 'Lovely write-up, thank you!',
    });
    expect(clean.status).toBe('pending');
    const orange = await bob.expect<{ id: string }>(201, 'POST', '/api/comments', {
      postId: post.id,
      body: 'I only came for the Orange juice.',
    });
    const bobSeesPending = await eventually(
      async () => {
        const comments = (await postPage(bob, post.id)).body.post?.comments ?? [];
        return comments.length === 2 && comments;
      },
      15_000,
      'pending comments visible to their author',
    );
    expect(bobSeesPending.map((c) => c.status)).toEqual(['pending', 'pending']);
    expect((await postPage(anonymous, post.id)).body.post.comments).toEqual([]);
    expect((await postPage(alice, post.id)).body.post.comments).toEqual([]);

    await platform.restartService('moderation');
    const decided = await eventually(
      async () => {
        const comments = (await postPage(bob, post.id)).body.post.comments;
        return comments.every((c) => c.status !== 'pending') && comments;
      },
      15_000,
      'comments decided',
    );
    expect(decided.find((c) => c.id === clean.id)?.status).toBe('approved');
    const rejected = decided.find((c) => c.id === orange.id)!;
    expect(rejected.status).toBe('rejected');
    expect(rejected.reason).toMatch(/orange/i);

    // Visibility: the rejected comment only for its author and moderators.
    const seenByAnonymous = (await postPage(anonymous, post.id)).body.post;
    expect(seenByAnonymous.comments.map((c) => c.id)).toEqual([clean.id]);
    expect(seenByAnonymous.commentCount).toBe(1);
    expect((await postPage(alice, post.id)).body.post.comments.map((c) => c.id)).toEqual([clean.id]);
    expect((await postPage(mod, post.id)).body.post.comments.map((c) => c.id).sort()).toEqual(
      [clean.id, orange.id].sort(),
    );

    // Likes and unlikes change the counts.
    await bob.expect(200, 'POST', `/api/posts/${post.id}/like`);
    await mod.expect(200, 'POST', `/api/posts/${post.id}/like`);
    await eventually(async () => (await postPage(bob, post.id)).body.post.likeCount === 2, 10_000, 'two likes');
    expect((await postPage(bob, post.id)).body.post.likedByMe).toBe(true);
    expect((await postPage(alice, post.id)).body.post.likedByMe).toBe(false);
    await bob.expect(200, 'DELETE', `/api/posts/${post.id}/like`);
    await eventually(async () => (await postPage(bob, post.id)).body.post.likeCount === 1, 10_000, 'one like');
    expect((await postPage(bob, post.id)).body.post.likedByMe).toBe(false);

    // Edits are reflected; an edited comment is moderated again.
    await alice.expect(200, 'PUT', `/api/posts/${post.id}`, { title: 'Markets of Valencia, revisited' });
    await eventually(
      async () => (await postPage(anonymous, post.id)).body.post.title === 'Markets of Valencia, revisited',
      10_000,
      'edited title',
    );
    await bob.expect(200, 'PUT', `/api/comments/${clean.id}`, {
      body: 'Lovely write-up; the orange stalls were the best part.',
    });
    const reModerated = await eventually(
      async () => {
        const comment = (await postPage(bob, post.id)).body.post.comments.find((c) => c.id === clean.id);
        return comment?.body.includes('stalls') && comment.status === 'rejected' && comment;
      },
      15_000,
      'edited comment moderated again',
    );
    expect(reModerated.reason).toMatch(/orange/i);
    expect((await postPage(anonymous, post.id)).body.post.comments).toEqual([]);

    // Deleting the post removes it and its comments from every read model.
    await alice.expect(200, 'DELETE', `/api/posts/${post.id}`);
    await eventually(async () => (await postPage(anonymous, post.id)).status === 404, 10_000, 'post gone');
    // Each read model answers from its own documents, so the others may show the deletion a moment later.
    await eventually(
      async () => {
        const feed = await bob.expect<PostPage>(200, 'GET', '/api/query/feed');
        const tagged = await anonymous.expect<PostPage>(200, 'GET', '/api/query/posts?tag=travel');
        const tags = await anonymous.expect<{ tags: { tag: string }[] }>(200, 'GET', '/api/query/tags');
        const alicePosts = await anonymous.expect<PostPage>(200, 'GET', '/api/query/users/alice/posts');
        return (
          feed.posts.length === 0 &&
          tagged.posts.length === 0 &&
          !tags.tags.some((t) => t.tag === 'travel') &&
          alicePosts.posts.length === 0
        );
      },
      10_000,
      'the post gone from the feed, the tag list and archive, and the author page',
    );
    await bob.expect(404, 'POST', '/api/comments', { postId: post.id, body: 'too late' });
  });

  it('misses nothing while the query service is down, nor while nats-server is down', async () => {
    const carol = await ApiUser.signUp(platform.url, 'carol');
    const anonymous = new ApiUser(platform.url);

    await platform.stopService('query');
    const whileQueryDown = await carol.expect<{ id: string }>(201, 'POST', '/api/posts', {
      title: 'Written while query slept',
      body: 'x',
      tags: ['ops'],
    });
    await carol.expect(200, 'POST', `/api/posts/${whileQueryDown.id}/like`);
    await platform.restartService('query');

    await platform.nats!.stop();
    const whileNatsDown = await carol.expect<{ id: string }>(201, 'POST', '/api/posts', {
      title: 'Written while NATS slept',
      body: 'y',
      tags: ['ops'],
    });
    await platform.nats!.start();

    const list = await eventually(
      async () => {
        const res = await anonymous.request<PostPage>('GET', '/api/query/users/carol/posts');
        return res.status === 200 && res.body.posts.length === 2 && res.body;
      },
      30_000,
      'both posts in the read model',
    );
    expect(list.posts.map((p) => p.title).sort()).toEqual(['Written while NATS slept', 'Written while query slept']);
    expect(list.posts.find((p) => p.id === whileQueryDown.id)?.likeCount).toBe(1);
    expect(list.posts.find((p) => p.id === whileNatsDown.id)).toBeDefined();
  });

  it('applies a moderation decision published from a script with the postline-events CLI', async () => {
    const dave = await ApiUser.signUp(platform.url, 'dave');
    const anonymous = new ApiUser(platform.url);
    const post = await dave.expect<{ id: string }>(201, 'POST', '/api/posts', { title: 'Decided by hand', body: 'z' });
    await eventually(async () => (await postPage(anonymous, post.id)).status === 200, 15_000, 'post visible');

    await platform.stopService('moderation'); // nobody decides but the script
    const comment = await dave.expect<{ id: string }>(201, 'POST', '/api/comments', {
      postId: post.id,
      body: 'Pending until a human says so',
    });
    await eventually(
      async () => (await postPage(dave, post.id)).body.post.comments.length === 1,
      15_000,
      'pending comment',
    );
    expect((await postPage(anonymous, post.id)).body.post.comments).toEqual([]);

    const cli = join(__dirname, '..', '..', '..', 'common', 'dist', 'tools', 'cli', 'postline-events.js');
    const decision = {
      commentId: comment.id,
      postId: post.id,
      commentVersion: 0,
      status: 'approved',
      reason: 'checked by QA',
    };
    const { stdout } = await promisify(execFile)(process.execPath, [
      cli,
      '--server',
      platform.natsUrl,
      'publish',
      'comment.moderated',
      '--data',
      JSON.stringify(decision),
      '--producer',
      'qa-script',
    ]);
    expect(stdout).toMatch(/published comment\.moderated .* to COMMENTS at sequence \d+/);

    const visible = await eventually(
      async () => {
        const comments = (await postPage(anonymous, post.id)).body.post.comments;
        return comments.length === 1 && comments;
      },
      15_000,
      'approved comment visible to everyone',
    );
    expect(visible[0]).toMatchObject({ id: comment.id, status: 'approved' });
    await platform.restartService('moderation');
  });
});
