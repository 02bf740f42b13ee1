import type { Page } from 'playwright-core';
import { eventually } from '@postline/common/testing';
import { ApiUser } from '../../infra/src/e2e/api-client';
import { browserSuite, openWhenFound, screenshot, signUp } from './browser';

/**
 * Live updates in a real browser, through the gateway with the whole platform
 * running: a post page follows `GET /api/query/live` (Server-Sent Events).
 * A comment's author sees pending turn approved, or rejected with the reason;
 * another reader's open page shows the approved comment, the like count and
 * an edit of the post, and never the rejected comment. Neither page reloads:
 * a mark set in each page's window at the start must still be there at the end.
 */

jest.setTimeout(120_000);

const run = Math.random().toString(36).slice(2, 8);
const commenter = { email: `live-c-${run}@example.test`, username: `livec_${run}`, password: 'correct horse battery' };

const suite = browserSuite('live', { MODERATOR_EMAILS: `livemod_${run}@example.test` });
let author: ApiUser & { id: string };
let moderator: ApiUser & { id: string };
let commenterPage: Page;
let readerPage: Page;
let post: { id: string; slug: string };

beforeAll(async () => {
  author = await ApiUser.signUp(suite.platform.url, `livea_${run}`);
  moderator = await ApiUser.signUp(suite.platform.url, `livemod_${run}`);
  await moderator.verifyEmail(suite.mailbox); // the role comes with the proven address
  post = await author.expect<{ id: string; slug: string }>(201, 'POST', '/api/posts', {
    title: `Live post ${run}`,
    body: 'Comments and likes appear here **as they happen**.',
    tags: ['live'],
  });
  commenterPage = (await suite.visitor()).page;
  readerPage = (await suite.visitor()).page;
}, 60_000);

/** Opens the post page (reloading until the read model has the post) and marks the window: a reload would drop the mark. */
async function openPost(page: Page): Promise<void> {
  await openWhenFound(page, `/posts/${post.slug}`);
  await page.getByRole('heading', { level: 1, name: `Live post ${run}` }).waitFor();
  // Hydrated, and the live stream is open.
  await page.locator('[data-live="open"]').waitFor();
  await page.evaluate(() => ((window as unknown as { __notReloaded?: boolean }).__notReloaded = true));
}

const notReloaded = (page: Page) =>
  page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true);

/** A moderator's decision, once moderation has the comment (its replica follows the comments service's events). */
async function decide(commentId: string, status: 'approved' | 'rejected', reason: string): Promise<void> {
  await eventually(
    async () => {
      const res = await moderator.request('POST', `/api/moderation/comments/${commentId}/decision`, { status, reason });
      return res.status < 300;
    },
    15_000,
    `decision on ${commentId}`,
  );
}

async function writeComment(body: string): Promise<string> {
  const answer = commenterPage.waitForResponse(
    (res) => res.url().endsWith('/api/comments') && res.request().method() === 'POST',
  );
  await commenterPage.getByLabel('Add a comment').fill(body);
  await commenterPage.getByRole('button', { name: 'Post comment' }).click();
  return ((await (await answer).json()) as { id: string }).id;
}

test('the comment author and another reader follow the post page live', async () => {
  await signUp(commenterPage, commenter);

  await openPost(commenterPage);
  await openPost(readerPage);

  // Held for review ("scam", moderation/rules.json): pending for its author, nothing for the reader.
  const heldId = await writeComment(`Is this a scam or the real thing? ${run}`);
  const held = commenterPage.getByTestId('comment').filter({ hasText: 'scam or the real thing' });
  await held.and(commenterPage.locator('[data-status="pending"]')).waitFor();
  // The query service applied it (the author's own channel), still pending.
  await eventually(
    async () => (await author.request('GET', `/api/query/posts/${post.id}`)).status === 200,
    10_000,
    'post page',
  );

  await decide(heldId, 'approved', 'Fair question');
  await held.and(commenterPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
  const shown = readerPage.getByTestId('comment').filter({ hasText: 'scam or the real thing' });
  await shown.and(readerPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
  await readerPage.locator('#comments-heading').filter({ hasText: '(1)' }).waitFor();

  // Rejected with the reason, shown to its author only.
  const rejectedId = await writeComment(`Another scam question, off topic ${run}`);
  const rejected = commenterPage.getByTestId('comment').filter({ hasText: 'Another scam question' });
  await rejected.and(commenterPage.locator('[data-status="pending"]')).waitFor();
  await decide(rejectedId, 'rejected', 'Off topic here');
  await rejected.and(commenterPage.locator('[data-status="rejected"]')).waitFor({ timeout: 20_000 });
  expect(await rejected.getByTestId('comment-reason').textContent()).toContain('Not published: Off topic here');
  await screenshot(commenterPage, 'live-comments', { fullPage: true });

  // Another reader's like and the author's edit reach the reader's open page.
  const liker = await ApiUser.signUp(suite.platform.url, `livel_${run}`);
  await liker.expect(200, 'POST', `/api/posts/${post.id}/like`);
  await readerPage.getByTestId('like-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 20_000 });
  await commenterPage.getByTestId('like-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 20_000 });
  await author.expect(200, 'PUT', `/api/posts/${post.id}`, { title: `Live post ${run}, edited` });
  await readerPage.getByRole('heading', { level: 1, name: `Live post ${run}, edited` }).waitFor({ timeout: 20_000 });
  await readerPage.getByTestId('like-count').filter({ hasText: /^1$/ }).waitFor();

  // The reader never saw the rejected comment, and neither page was reloaded.
  expect(await readerPage.getByTestId('comment').filter({ hasText: 'Another scam question' }).count()).toBe(0);
  expect(await readerPage.getByTestId('comment').count()).toBe(1);
  expect(await notReloaded(commenterPage)).toBe(true);
  expect(await notReloaded(readerPage)).toBe(true);
});

test('a deleted approved comment disappears from the reader’s page', async () => {
  const page = await author.expect<{ post: { comments: { id: string; body: string }[] } }>(
    200,
    'GET',
    `/api/query/posts/${post.id}`,
  );
  const approved = page.post.comments.find((c) => c.body.includes('scam or the real thing'))!;
  // The post's author may delete comments on their post.
  await author.expect(200, 'DELETE', `/api/comments/${approved.id}`);
  await readerPage.getByTestId('comment').filter({ hasText: 'scam or the real thing' }).waitFor({ state: 'detached' });
  await readerPage.locator('#comments-heading').filter({ hasText: '(0)' }).waitFor();
  expect(await notReloaded(readerPage)).toBe(true);
});

test('its author edits a comment: it goes back through moderation, and readers see the new text once approved', async () => {
  const id = await writeComment(`Clean thoughts on the post ${run}`);
  const mine = commenterPage.getByTestId('comment').filter({ hasText: 'Clean thoughts' });
  await mine.and(commenterPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
  const theirs = readerPage.getByTestId('comment').filter({ hasText: 'Clean thoughts' });
  await theirs.waitFor({ timeout: 20_000 });
  await readerPage.locator('#comments-heading').filter({ hasText: '(1)' }).waitFor();
  // Only a comment's author is offered the edit: a signed-out reader has no Edit on any comment.
  expect(await readerPage.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
  expect(await mine.getByTestId('comment-edited').count()).toBe(0);

  // Edited to text the rules hold for review ("scam"): pending again for its author, marked as edited.
  await mine.getByRole('button', { name: /^Edit/ }).click();
  const field = commenterPage.getByLabel('Edit your comment');
  expect(await field.inputValue()).toBe(`Clean thoughts on the post ${run}`);
  await field.fill(`Clean thoughts, and a word on a scam ${run}`);
  await commenterPage.getByRole('button', { name: 'Save comment' }).click();
  const edited = commenterPage.getByTestId('comment').filter({ hasText: 'a word on a scam' });
  await edited.and(commenterPage.locator('[data-status="pending"]')).waitFor();
  await edited.getByTestId('comment-edited').waitFor();
  expect(await edited.getByTestId('comment-pending-note').textContent()).toContain('awaiting moderation again');
  expect(await commenterPage.getByLabel('Edit your comment').count()).toBe(0);

  // Readers lose the comment until a moderator approves the new text, then see that text.
  await theirs.waitFor({ state: 'detached', timeout: 20_000 });
  await readerPage.locator('#comments-heading').filter({ hasText: '(0)' }).waitFor();
  // The same change removed it from the post's channel: its author still has it, pending.
  expect(await edited.and(commenterPage.locator('[data-status="pending"]')).count()).toBe(1);
  await decide(id, 'approved', 'Fine after the edit');
  await edited.and(commenterPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
  const shown = readerPage.getByTestId('comment').filter({ hasText: 'a word on a scam' });
  await shown.waitFor({ timeout: 20_000 });
  await shown.getByTestId('comment-edited').waitFor();
  await readerPage.locator('#comments-heading').filter({ hasText: '(1)' }).waitFor();
  expect(await notReloaded(commenterPage)).toBe(true);
  expect(await notReloaded(readerPage)).toBe(true);
});

test('after the query service restarts, an open page catches up with what changed meanwhile', async () => {
  await openPost(readerPage);
  await suite.platform.stopService('query');
  // Written and approved while no stream can be open: the page learns it on its next stream's `ready`.
  const comment = await author.expect<{ id: string }>(201, 'POST', '/api/comments', {
    postId: post.id,
    body: `Another scam thought, while query was down ${run}`,
  });
  await decide(comment.id, 'approved', 'ok');
  await suite.platform.restartService('query');
  await readerPage.getByTestId('comment').filter({ hasText: 'while query was down' }).waitFor({ timeout: 30_000 });
  await readerPage.locator('[data-live="open"]').waitFor();
  expect(await notReloaded(readerPage)).toBe(true);
});
