import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '@postline/common/testing';
import { ApiUser } from '../../infra/src/e2e/api-client';
import { startPlatform, type Platform } from '../../infra/src/local/platform';
import { launchChromium, newVisitor, pageErrors, screenshot } from './browser';

/**
 * A moderator overturns the rules' rejection from the moderation page, in a real browser through
 * the gateway with the whole platform running: the comment's author, whose post page is open,
 * sees it turn approved, and a signed-out reader sees it with the comment count updated.
 */

jest.setTimeout(120_000);

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery';

let platform: Platform;
let browser: Browser;
let dataDir: string;
let commenter: ApiUser & { id: string };
let moderator: ApiUser & { id: string };
let post: { id: string; slug: string };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'postline-e2e-moderation-'));
  const logs: string[] = [];
  try {
    platform = await startPlatform({
      freePorts: true,
      dataDir,
      env: { MODERATOR_EMAILS: `modo_${run}@example.test` },
      log: (part, line) => logs.push(`[${part}] ${line}`),
    });
  } catch (err) {
    process.stderr.write(logs.slice(-60).join('\n') + '\n');
    throw err;
  }
  browser = await launchChromium();
  const author = await ApiUser.signUp(platform.url, `moda_${run}`);
  commenter = await ApiUser.signUp(platform.url, `modc_${run}`);
  moderator = await ApiUser.signUp(platform.url, `modo_${run}`);
  post = await author.expect<{ id: string; slug: string }>(201, 'POST', '/api/posts', {
    title: `Citrus notes ${run}`,
    body: 'Which fruit makes the best marmalade?',
    tags: ['citrus'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/signin');
  await page
    .getByLabel('Email')
    .fill(`${username}@example.test`)
    .catch(async (err: Error) => {
      // Seen twice while another build replaced client/.next under the running server: say what the page showed.
      throw new Error(
        `${err.message}\n${page.url()} showed: ${(await page.locator('body').innerText()).slice(0, 800)}`,
      );
    });
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByTestId('nav-profile')
    .filter({ hasText: `@${username}` })
    .waitFor();
}

async function openPost(page: Page): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await page.goto(`/posts/${post.slug}`);
    if (res?.status() === 200) break;
    if (Date.now() > deadline) throw new Error('the post never reached the read model');
    await page.waitForTimeout(300);
  }
  await page.getByRole('heading', { level: 1, name: `Citrus notes ${run}` }).waitFor();
}

test('a moderator overturns an automatic rejection from the queue page; author and readers see it approved', async () => {
  // Rejected by the rules ("orange", moderation/rules.json).
  const comment = await commenter.expect<{ id: string }>(201, 'POST', '/api/comments', {
    postId: post.id,
    body: `Seville orange, without a doubt ${run}`,
  });
  await eventually(
    async () => {
      const res = await moderator.request<{ items: { commentId: string }[] }>(
        'GET',
        '/api/moderation/decisions?decidedBy=rules&status=rejected',
      );
      return res.body.items?.some((i) => i.commentId === comment.id);
    },
    20_000,
    'the rules rejection',
  );

  // The author's page: rejected with the rule's reason.
  const authorPage = (await newVisitor(browser, platform.url)).page;
  await signIn(authorPage, `modc_${run}`);
  await openPost(authorPage);
  const mine = authorPage.getByTestId('comment').filter({ hasText: 'Seville orange' });
  await mine.and(authorPage.locator('[data-status="rejected"]')).waitFor();
  expect(await mine.getByTestId('comment-reason').textContent()).toContain('blocked word: orange');
  await authorPage.locator('[data-live="open"]').waitFor();

  // The moderator's page lists it among the recent automatic rejections.
  const modPage = (await newVisitor(browser, platform.url)).page;
  await signIn(modPage, `modo_${run}`);
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
  const readerPage = (await newVisitor(browser, platform.url)).page;
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
  await eventually(
    async () => {
      const res = await moderator.request<{ items: { commentId: string }[] }>(
        'GET',
        '/api/moderation/decisions?decidedBy=rules&status=approved',
      );
      return res.body.items?.some((i) => i.commentId === clean.id);
    },
    20_000,
    'the rules approval',
  );
  const anonymous = new ApiUser(platform.url);
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
  const modPage = (await newVisitor(browser, platform.url)).page;
  await signIn(modPage, `modo_${run}`);
  await modPage.goto('/moderation');
  const entry = modPage
    .getByRole('list', { name: 'Recent automatic approvals' })
    .getByTestId('decision-item')
    .filter({ hasText: 'Bergamot is underrated' });
  await entry.getByLabel('Reason for overturning (shown to the author)').fill('Advertising a shop');
  await entry.getByRole('button', { name: 'Overturn: reject' }).click();
  await entry.getByRole('status').filter({ hasText: 'Overturned: now rejected' }).waitFor();

  const readerPage = (await newVisitor(browser, platform.url)).page;
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
