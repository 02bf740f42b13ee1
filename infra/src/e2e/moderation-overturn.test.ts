import { eventually } from '@postline/common/testing';
import type { DecisionItem, ModerationPage, PostDetail } from '@postline/common/api';
import type { Platform } from '../local/platform';
import { ApiUser } from './api-client';
import { quickEventsEnv, startTestPlatform, type TestPlatform } from './test-platform';

/**
 * A moderator overturns the rules' rejection through the gateway, every service its own process
 * against the real database and nats-server: the comment becomes visible to everyone and the
 * post's comment count follows; overturned again, it goes; a decision on text edited since is refused.
 */
jest.setTimeout(180_000);

describe('overturning a moderation decision, end to end', () => {
  let running: TestPlatform;
  let platform: Platform;

  beforeAll(async () => {
    running = await startTestPlatform('overturn', { ...quickEventsEnv, MODERATOR_EMAILS: 'overturner@example.test' });
    platform = running.platform;
  });

  afterAll(async () => {
    await running?.stop();
  });

  const postOf = async (user: ApiUser, id: string) =>
    (await user.expect<{ post: PostDetail }>(200, 'GET', `/api/query/posts/${id}`)).post;

  it('makes a rules-rejected comment visible to everyone once a moderator overturns it, and counts it', async () => {
    const alice = await ApiUser.signUp(platform.url, 'alice');
    const bob = await ApiUser.signUp(platform.url, 'bob');
    const mod = await ApiUser.signUp(platform.url, 'overturner');
    await mod.verifyEmail(running.mailbox); // the role goes to a verified address only
    const anonymous = new ApiUser(platform.url);

    const post = await alice.expect<{ id: string }>(201, 'POST', '/api/posts', {
      title: 'Orange groves',
      body: 'A walk through the groves in winter.',
      tags: ['travel'],
    });
    await eventually(
      async () => (await anonymous.request('GET', `/api/query/posts/${post.id}`)).status === 200,
      15_000,
      'post',
    );
    const comment = await bob.expect<{ id: string }>(201, 'POST', '/api/comments', {
      postId: post.id,
      body: 'The orange trees smell wonderful.',
    });

    // the rules reject it: only its author sees it, with the rule's reason
    const rejected = await eventually(
      async () => (await postOf(bob, post.id)).comments.find((c) => c.id === comment.id && c.status === 'rejected'),
      15_000,
      'rules rejection',
    );
    expect(rejected.reason).toBe('blocked word: orange');
    expect(await postOf(anonymous, post.id)).toMatchObject({ commentCount: 0, comments: [] });

    // the moderator finds it among the recent automatic rejections
    const rules = await mod.expect<ModerationPage<DecisionItem>>(
      200,
      'GET',
      '/api/moderation/decisions?decidedBy=rules&status=rejected',
    );
    const listed = rules.items.find((i) => i.commentId === comment.id);
    expect(listed).toMatchObject({
      body: 'The orange trees smell wonderful.',
      reason: 'blocked word: orange',
      commentVersion: 0,
    });
    await bob.expect(403, 'POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'approved',
      reason: 'my own comment is fine',
    });
    const missingReason = await mod.request('POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'approved',
    });
    expect(missingReason.status).toBe(400);

    const overturned = await mod.expect(200, 'POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'approved',
      reason: 'About fruit trees, not spam',
      commentVersion: listed!.commentVersion,
    });
    expect(overturned).toMatchObject({ status: 'approved', overturned: { status: 'rejected', decidedBy: 'rules' } });

    // everyone sees it, counted on the page and in the lists; its author sees the moderator's reason
    const seen = await eventually(
      async () => {
        const page = await postOf(anonymous, post.id);
        return page.comments.some((c) => c.id === comment.id) && page;
      },
      15_000,
      'overturn visible to everyone',
    );
    expect(seen.commentCount).toBe(1);
    const list = await anonymous.expect<{ posts: { id: string; commentCount: number }[] }>(
      200,
      'GET',
      '/api/query/posts?tag=travel',
    );
    expect(list.posts.find((p) => p.id === post.id)?.commentCount).toBe(1);
    expect((await postOf(bob, post.id)).comments.find((c) => c.id === comment.id)).toMatchObject({
      status: 'approved',
      reason: 'About fruit trees, not spam',
    });
    expect(await anonymous.expect(200, 'GET', `/api/comments/${comment.id}`)).toMatchObject({ status: 'approved' });

    // overturned again by a moderator: gone for everyone, uncounted, the author sees why
    await mod.expect(200, 'POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'rejected',
      reason: 'Off topic after all',
      commentVersion: 0,
    });
    const gone = await eventually(
      async () => {
        const page = await postOf(anonymous, post.id);
        return page.comments.length === 0 && page;
      },
      15_000,
      'second overturn',
    );
    expect(gone.commentCount).toBe(0);
    expect((await postOf(bob, post.id)).comments.find((c) => c.id === comment.id)).toMatchObject({
      status: 'rejected',
      reason: 'Off topic after all',
    });

    // the author edits it: a decision naming the old text is refused
    await bob.expect(200, 'PUT', `/api/comments/${comment.id}`, { body: 'The trees smell wonderful.' });
    await eventually(
      async () => (await postOf(anonymous, post.id)).comments.some((c) => c.id === comment.id),
      15_000,
      'edited text approved by the rules',
    );
    const stale = await mod.request('POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'rejected',
      reason: 'still off topic',
      commentVersion: 0,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      errors: [
        {
          field: 'commentVersion',
          message: expect.stringMatching(/^Version 0 is stale: version \d+ is the current text$/),
        },
      ],
    });
    expect((await postOf(anonymous, post.id)).commentCount).toBe(1);
  });
});
