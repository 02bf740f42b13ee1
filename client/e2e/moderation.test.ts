import type { Page } from 'playwright-core';
import { eventually } from '@postline/common/testing';
import { ApiUser } from '../../infra/src/e2e/api-client';
import { browserSuite, openWhenFound, screenshot, signIn } from './browser';

/**
 * A moderator overturns the rules' rejection from the moderation page, in a real browser through
 * the gateway with the whole platform running: the comment's author, whose post page is open,
 * sees it turn approved, and a signed-out reader sees it with the comment count updated.
 */

jest.setTimeout(120_000);

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery';

const suite = browserSuite('moderation', { MODERATOR_EMAILS: `modo_${run}@example.test` });
let commenter: ApiUser & { id: string };
let moderator: ApiUser & { id: string };
let post: { id: string; slug: string };

beforeAll(async () => {
  const author = await ApiUser.signUp(suite.platform.url, `moda_${run}`);
  commenter = await ApiUser.signUp(suite.platform.url, `modc_${run}`);
  moderator = await ApiUser.signUp(suite.platform.url, `modo_${run}`);
  await moderator.verifyEmail(suite.mailbox); // the role comes with the proven address
  post = await author.expect<{ id: string; slug: string }>(201, 'POST', '/api/posts', {
    title: `Citrus notes ${run}`,
    body: 'Which fruit makes the best marmalade?',
    tags: ['citrus'],
  });
}, 60_000);

/** The users ApiUser.signUp made, signed in through the form. */
const signInAs = (page: Page, username: string) =>
  signIn(page, { email: `${username}@example.test`, username, password });

async function openPost(page: Page): Promise<void> {
  await openWhenFound(page, `/posts/${post.slug}`);
  await page.getByRole('heading', { level: 1, name: `Citrus notes ${run}` }).waitFor();
}

/** Waits until moderation lists the rules' decision about a comment. */
async function decidedByTheRules(commentId: string, status: 'approved' | 'rejected'): Promise<void> {
  await eventually(
    async () => {
      const res = await moderator.request<{ items: { commentId: string }[] }>(
        'GET',
        `/api/moderation/decisions?decidedBy=rules&status=${status}`,
      );
      return res.body.items?.some((i) => i.commentId === commentId);
    },
    20_000,
    `the rules' decision (${status}) about ${commentId}`,
  );
}

test('a moderator overturns an automatic rejection from the queue page; author and readers see it approved', async () => {
  // Rejected by the rules ("orange", moderation/rules.json).
  const comment = await commenter.expect<{ id: string }>(201, 'POST', '/api/comments', {
    postId: post.id,
    body: `Seville orange, without a doubt ${run}`,
  });
  await decidedByTheRules(comment.id, 'rejected');

  // The author's page: rejected with the rule's reason.
  const authorPage = (await suite.visitor()).page;
  await signInAs(authorPage, `modc_${run}`);
  await openPost(authorPage);
  const mine = authorPage.getByTestId('comment').filter({ hasText: 'Seville orange' });
  await mine.and(authorPage.locator('[data-status="rejected"]')).waitFor();
  expect(await mine.getByTestId('comment-reason').textContent()).toContain('blocked word: orange');
  await authorPage.locator('[data-live="open"]').waitFor();

  // The moderator's page lists it among the recent automatic rejections.
  const modPage = (await suite.visitor()).page;
  await signInAs(modPage, `modo_${run}`);
  await modPage.goto('/moderation');
  const rejections = modPage.getByRole('list', { name: 'Recent automatic rejections' });
  const entry = rejections.getByTestId('decision-item').filter({ hasText: 'Seville orange' });
  await entry.waitFor();
  expect(await entry.getByTestId('decision-reason').textContent()).toContain('blocked word: orange');

  // A reason is required.
  await entry.getByRole('button', { name: 'Overturn: approve' }).click();
  await entry.getByText('Give the author a reason for overturning the decision.').waitFor();
  await entry.getByLabel('Reason for overturning (shown to the author)').fill('Seville oranges are the topic here');
  await entry.getByRole('button', { name: 'Overturn: approve' }).click();
  await entry.getByRole('status').filter({ hasText: 'Overturned: now approved' }).waitFor();
  await entry.getByRole('button', { name: 'Overturn: reject' }).waitFor();
  await modPage.mouse.move(0, 0);
  await modPage.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await screenshot(modPage, 'moderation-overturn', { fullPage: true });

  // The author's open page turns approved; a signed-out reader sees it, counted.
  await mine.and(authorPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
  const readerPage = (await suite.visitor()).page;
  await eventually(
    async () => {
      await openPost(readerPage);
      return (await readerPage.getByTestId('comment').filter({ hasText: 'Seville orange' }).count()) === 1;
    },
    20_000,
    'approved comment for readers',
  );
  await readerPage.locator('#comments-heading').filter({ hasText: '(1)' }).waitFor();

  // After a reload the moderator's page lists it under the moderators' decisions, not the rules' rejections.
  await modPage.reload();
  await modPage
    .getByRole('list', { name: 'Recent moderator decisions' })
    .getByTestId('decision-item')
    .filter({ hasText: 'Seville orange' })
    .waitFor();
  expect(await rejections.getByTestId('decision-item').filter({ hasText: 'Seville orange' }).count()).toBe(0);
});

test("a moderator overturns the rules' approval from the page: readers no longer see the comment", async () => {
  const clean = await commenter.expect<{ id: string }>(201, 'POST', '/api/comments', {
    postId: post.id,
    body: `Bergamot is underrated ${run}`,
  });
  await decidedByTheRules(clean.id, 'approved');
  const anonymous = new ApiUser(suite.platform.url);
  await eventually(
    async () => {
      const res = await anonymous.request<{ post: { comments: { id: string }[] } }>(
        'GET',
        `/api/query/posts/${post.id}`,
      );
      return res.body.post?.comments.some((c) => c.id === clean.id);
    },
    20_000,
    'the approved comment visible to readers first',
  );
  const modPage = (await suite.visitor()).page;
  await signInAs(modPage, `modo_${run}`);
  await modPage.goto('/moderation');
  const entry = modPage
    .getByRole('list', { name: 'Recent automatic approvals' })
    .getByTestId('decision-item')
    .filter({ hasText: 'Bergamot is underrated' });
  await entry.getByLabel('Reason for overturning (shown to the author)').fill('Advertising a shop');
  await entry.getByRole('button', { name: 'Overturn: reject' }).click();
  await entry.getByRole('status').filter({ hasText: 'Overturned: now rejected' }).waitFor();

  const readerPage = (await suite.visitor()).page;
  await eventually(
    async () => {
      await openPost(readerPage);
      return (await readerPage.getByTestId('comment').filter({ hasText: 'Bergamot' }).count()) === 0;
    },
    20_000,
    'the rejected comment gone for readers',
  );
  await readerPage.locator('#comments-heading').filter({ hasText: '(1)' }).waitFor();
  expect(await commenter.expect(200, 'GET', `/api/comments/${clean.id}`)).toMatchObject({
    status: 'rejected',
    reason: 'Advertising a shop',
  });
});
