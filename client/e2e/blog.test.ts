import type { Page } from 'playwright-core';
import { browserSuite, phone, reloadUntil, screenshot, signUp, verifyByMail } from './browser';

/**
 * The blog in a real browser, through the local gateway with the whole
 * platform running (NATS, the local MongoDB, every service, the client's server): two people
 * sign up, one writes, the other reads, comments, likes and follows. The
 * steps share one platform and run in order; each step's expectations wait
 * for what events deliver (read models follow writes within moments).
 */

const run = Math.random().toString(36).slice(2, 8);
const tag = `e2e${run}`;
const alice = { email: `alice-${run}@example.test`, username: `alice_${run}`, password: 'correct horse battery' };
const bob = { email: `bob-${run}@example.test`, username: `bob_${run}`, password: 'another good password' };
const title = `Field notes on event sourcing ${run}`;
const body = [
  '## Why events',
  '',
  'Every change is **an event**, and read models are *rebuilt* from them, so a new view of the data is a replay away.',
  '',
  '- one writer per aggregate',
  '- versions rise by exactly one',
  '',
  '> Consumers ignore what they have seen and wait for what they have not.',
  '',
  '```ts',
  "listener.on('post.created', applyPostCreated);",
  '```',
].join('\n');

/** Markdown that would run script if it were rendered unsafely. */
const hostileBody = [
  'Hello <script>window.__postlineXss = true</script>',
  '',
  '[a harmless-looking link](javascript:window.__postlineXss=true)',
  '',
  '<img src="x" onerror="window.__postlineXss = true">',
  '',
  '![picture](javascript:window.__postlineXss=true)',
].join('\n');
const moderator = { email: `mod-${run}@example.test`, username: `mod_${run}`, password: 'moderator password' };

const suite = browserSuite('blog', { MODERATOR_EMAILS: moderator.email });
let alicePage: Page;
let bobPage: Page;
let postPath: string;

beforeAll(async () => {
  alicePage = (await suite.visitor()).page;
  bobPage = (await suite.visitor()).page;
});

test('sign-up shows the API field errors next to the fields, then signs the user in', async () => {
  await alicePage.goto('/signup');
  await alicePage.getByLabel('Email').fill('not-an-email');
  await alicePage.getByLabel('Username').fill('a');
  await alicePage.getByLabel('Password').fill('short');
  await alicePage.getByRole('button', { name: 'Sign up' }).click();
  await expectText(alicePage.locator('[data-field-error="email"]'), 'Email must be a valid address');
  await expectText(alicePage.locator('[data-field-error="username"]'), 'Username must be 3 to 30');
  await expectText(alicePage.locator('[data-field-error="password"]'), 'Password must be 8 to 128');
  expect(await alicePage.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');

  await signUp(alicePage, alice);
  await signUp(bobPage, bob);
});

test('writes a post with tags, previews it, and publishes it with its Markdown rendered', async () => {
  // Two earlier posts through the API, so the home page has a list to show.
  for (const [i, earlier] of [
    { title: `Untrusted Markdown ${run}`, body: hostileBody, tags: ['security'] },
    {
      title: `Designing calm interfaces ${run}`,
      body: 'Quiet defaults, **clear** states and one accent colour for what matters.',
      tags: ['design', 'ux'],
    },
  ].entries()) {
    const res = await alicePage.request.post('/api/posts', { data: earlier });
    expect([i, res.status()]).toEqual([i, 201]);
  }

  await alicePage.goto('/write');
  await alicePage.getByLabel('Title').fill(title);
  await alicePage.getByLabel('Tags').fill(`${tag}, Architecture`);
  await alicePage.getByLabel('Body (Markdown)').fill(body);
  await alicePage.getByRole('tab', { name: 'Preview' }).click();
  await alicePage.getByTestId('preview').getByRole('heading', { name: 'Why events' }).waitFor();
  await screenshot(alicePage, 'editor');
  await alicePage.getByRole('tab', { name: 'Write' }).click();

  await alicePage.getByRole('button', { name: 'Publish' }).click();
  await alicePage.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 20_000 });
  postPath = new URL(alicePage.url()).pathname;
  expect(postPath).toMatch(/^\/posts\/.+/);

  const prose = alicePage.locator('.post-body .prose');
  await prose.getByRole('heading', { name: 'Why events' }).waitFor();
  expect(await prose.locator('strong').first().textContent()).toBe('an event');
  expect(await prose.locator('pre code').textContent()).toContain("listener.on('post.created'");
  for (const t of [tag, 'architecture'])
    await alicePage
      .locator('.post-header')
      .getByRole('link', { name: `#${t}` })
      .waitFor();
});

test('never runs script from a post: raw HTML and javascript: URLs are dropped', async () => {
  await alicePage.goto('/');
  await reloadUntil(
    alicePage,
    async () => (await alicePage.getByRole('link', { name: `Untrusted Markdown ${run}` }).count()) > 0,
  );
  await alicePage.getByRole('link', { name: `Untrusted Markdown ${run}` }).click();
  const prose = alicePage.locator('.post-body .prose');
  await prose.getByText('a harmless-looking link').waitFor();
  expect(await prose.locator('script, [onerror], [src^="javascript:" i], [href^="javascript:" i]').count()).toBe(0);
  await prose.getByText('a harmless-looking link').click();
  await alicePage.waitForTimeout(200);
  expect(
    await alicePage.evaluate(() => (window as unknown as { __postlineXss?: boolean }).__postlineXss),
  ).toBeUndefined();
});

test('shows the post on the home page and under its tag', async () => {
  await bobPage.goto('/');
  await reloadUntil(bobPage, async () => (await bobPage.getByRole('link', { name: title }).count()) > 0);
  await screenshot(bobPage, 'home');

  await bobPage
    .locator('[data-testid="post-card"]', { hasText: title })
    .getByRole('link', { name: `#${tag}` })
    .click();
  await bobPage.getByRole('heading', { level: 1, name: `Posts tagged #${tag}` }).waitFor();
  expect(new URL(bobPage.url()).pathname).toBe(`/tags/${tag}`);
  expect(await bobPage.getByTestId('post-card').count()).toBe(1);
  expect(await bobPage.getByRole('link', { name: `Designing calm interfaces ${run}` }).count()).toBe(0);
  await bobPage.getByRole('link', { name: title }).click();
  await bobPage.getByRole('heading', { level: 1, name: title }).waitFor();
});

test('a comment goes from pending to approved on screen, without a reload', async () => {
  await bobPage.goto(postPath);
  await bobPage.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  // Every status the comment shows on screen, as the DOM changes: the decision can follow the POST's
  // answer within milliseconds, faster than polling the page would see the pending state.
  await bobPage.evaluate(() => {
    const w = window as unknown as { __statuses: string[] };
    w.__statuses = [];
    new MutationObserver(() => {
      const shown = [...document.querySelectorAll('[data-testid="comment"]')].find((e) =>
        e.textContent?.includes('Great write-up, thanks!'),
      );
      const status = shown?.getAttribute('data-status');
      const label = shown?.querySelector('[data-testid="comment-status"]')?.textContent ?? '';
      const seen = status && `${status}:${label}`;
      if (seen && w.__statuses.at(-1) !== seen) w.__statuses.push(seen);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await bobPage.getByLabel('Add a comment').fill('Great write-up, thanks!');
  await bobPage.getByRole('button', { name: 'Post comment' }).click();

  const comment = bobPage.getByTestId('comment').filter({ hasText: 'Great write-up, thanks!' });
  await comment.and(bobPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
  expect(await comment.getByTestId('comment-status').count()).toBe(0);
  // Shown pending at once (as the comments service answered), then approved, and nothing else; only
  // a decision that reached the page before the POST's own answer skips pending, rightly (the held
  // comment below stays pending on screen).
  const statuses = await bobPage.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
  expect([['pending:Pending', 'approved:'], ['approved:']]).toContainEqual(statuses);
  expect(await bobPage.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
});

test('a comment containing "orange" is shown as rejected to its author only', async () => {
  await bobPage.getByLabel('Add a comment').fill('I read this with a glass of Orange juice.');
  await bobPage.getByRole('button', { name: 'Post comment' }).click();
  const rejected = bobPage.getByTestId('comment').filter({ hasText: 'glass of Orange juice' });
  await rejected.and(bobPage.locator('[data-status="rejected"]')).waitFor({ timeout: 20_000 });
  expect(await rejected.getByTestId('comment-status').textContent()).toBe('Rejected');
  expect(await rejected.getByTestId('comment-reason').textContent()).toMatch(/Not published: .+/);
  await bobPage.mouse.move(0, 0); // no hover state in the picture
  await screenshot(bobPage, 'post-with-comments', { fullPage: true });

  // Alice, the post's author, sees the approved comment and not the rejected one.
  await alicePage.goto(postPath);
  await reloadUntil(
    alicePage,
    async () => (await alicePage.getByTestId('comment').filter({ hasText: 'Great write-up' }).count()) === 1,
  );
  expect(await alicePage.getByTestId('comment').filter({ hasText: 'Orange juice' }).count()).toBe(0);
  expect(await alicePage.getByTestId('comment').count()).toBe(1);
  // As the post's author she may delete Bob's comment, not edit it.
  const bobs = alicePage.getByTestId('comment').filter({ hasText: 'Great write-up' });
  expect(await bobs.getByRole('button', { name: /^Delete/ }).count()).toBe(1);
  expect(await bobs.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
});

test('likes and unlikes the post', async () => {
  await bobPage.goto(postPath);
  const like = bobPage.getByTestId('like-button');
  expect(await like.getAttribute('aria-pressed')).toBe('false');
  expect(await bobPage.getByTestId('like-count').textContent()).toBe('0');
  await like.click();
  await bobPage.locator('[data-testid="like-button"][aria-pressed="true"]').waitFor();
  expect(await bobPage.getByTestId('like-count').textContent()).toBe('1');

  // The read model follows: after a reload the like is still there.
  await reloadUntil(bobPage, async () => (await bobPage.getByTestId('like-count').textContent()) === '1');
  expect(await bobPage.getByTestId('like-button').getAttribute('aria-pressed')).toBe('true');

  await bobPage.getByTestId('like-button').click();
  await bobPage.locator('[data-testid="like-button"][aria-pressed="false"]').waitFor();
  expect(await bobPage.getByTestId('like-count').textContent()).toBe('0');
  await reloadUntil(bobPage, async () => (await bobPage.getByTestId('like-count').textContent()) === '0');
});

test('follows the author from their profile and sees the post in the feed', async () => {
  await bobPage.goto('/feed');
  await bobPage.getByText('Your feed is empty').waitFor();

  await bobPage.goto(postPath);
  await bobPage.locator('.post-byline').getByRole('link', { name: alice.username }).click();
  await bobPage.getByRole('heading', { level: 1, name: alice.username }).waitFor();
  await bobPage.getByRole('button', { name: `Follow ${alice.username}` }).click();
  await bobPage.getByRole('button', { name: 'Following' }).waitFor();
  expect(await bobPage.getByTestId('follower-count').textContent()).toBe('1');

  await bobPage.getByRole('link', { name: 'Feed' }).click();
  await bobPage.getByRole('heading', { level: 1, name: 'Your feed' }).waitFor();
  await reloadUntil(bobPage, async () => (await bobPage.getByRole('link', { name: title }).count()) === 1);
});

test('the author edits the post, and the page shows the new text', async () => {
  await alicePage.goto(postPath);
  await alicePage.getByRole('link', { name: 'Edit' }).click();
  await alicePage.getByRole('heading', { level: 1, name: 'Edit post' }).waitFor();
  const bodyField = alicePage.getByLabel('Body (Markdown)');
  expect(await bodyField.inputValue()).toBe(body);
  await bodyField.fill(`${body}\n\nA postscript, added *later*.`);
  await alicePage.getByRole('tab', { name: 'Preview' }).click();
  await alicePage.getByTestId('preview').getByText('A postscript, added').waitFor();
  await alicePage.getByRole('button', { name: 'Save changes' }).click();
  await alicePage.waitForURL((url) => !url.pathname.endsWith('/edit'));
  await alicePage.locator('.post-body .prose').getByText('A postscript, added').waitFor();
  expect(await alicePage.locator('.post-body .prose em').last().textContent()).toBe('later');
});

test('a moderator approves a comment held for review, and its author sees it approved without a reload', async () => {
  await bobPage.goto(postPath);
  await bobPage.getByLabel('Add a comment').fill('Is this a scam or the real thing? Asking for a friend.');
  await bobPage.getByRole('button', { name: 'Post comment' }).click();
  const held = bobPage.getByTestId('comment').filter({ hasText: 'Asking for a friend' });
  await held.and(bobPage.locator('[data-status="pending"]')).waitFor();

  const { context, page } = await suite.visitor();
  try {
    await signUp(page, moderator);
    await verifyByMail(page, suite.mailbox, moderator.email); // the role comes with the proven address
    // On the post, the held comment is shown to the moderator as pending, with the way to the queue:
    // a moderator may delete it but not rewrite it.
    await page.goto(postPath);
    const pending = page.getByTestId('comment').filter({ hasText: 'Asking for a friend' });
    await reloadUntil(page, async () => (await pending.count()) === 1);
    expect(await pending.getAttribute('data-status')).toBe('pending');
    await pending.getByTestId('comment-pending-note').getByRole('link', { name: 'moderation queue' }).waitFor();
    expect(await pending.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    expect(await pending.getByRole('button', { name: /^Delete/ }).count()).toBe(1);
    await page.getByRole('link', { name: 'Moderation', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Moderation queue' }).waitFor();
    const item = page.getByTestId('queue-item').filter({ hasText: 'Asking for a friend' });
    await reloadUntil(page, async () => (await item.count()) === 1);
    await item.getByLabel(/Reason/).fill('Fair question');
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.waitFor({ state: 'detached' });
  } finally {
    await context.close();
  }
  await held.and(bobPage.locator('[data-status="approved"]')).waitFor({ timeout: 20_000 });
});

test('signs out, and signs in again with the error for a wrong password shown', async () => {
  await bobPage.getByRole('button', { name: 'Sign out' }).click();
  await bobPage.getByRole('link', { name: 'Sign in' }).first().waitFor();
  expect(await bobPage.getByTestId('nav-profile').count()).toBe(0);
  await bobPage.goto('/feed');
  await bobPage.waitForURL(/\/signin\?next=(\/|%2F)feed$/);

  await bobPage.getByLabel('Email').fill(bob.email);
  await bobPage.getByLabel('Password').fill('not my password');
  await bobPage.getByRole('button', { name: 'Sign in' }).click();
  await expectText(bobPage.getByRole('alert'), 'Invalid email or password');
  await bobPage.getByLabel('Password').fill(bob.password);
  await bobPage.getByRole('button', { name: 'Sign in' }).click();
  await bobPage.getByRole('heading', { level: 1, name: 'Your feed' }).waitFor();
  expect(await bobPage.getByTestId('nav-profile').textContent()).toBe(`@${bob.username}`);
});

test('after signing in, follows a next only to a page of the site', async () => {
  const { context, page } = await suite.visitor();
  try {
    const site = new URL(suite.platform.url).origin;
    // Browsers read /\evil.example and /<tab>/evil.example as //evil.example: another origin.
    for (const next of ['/%5Cevil.example/x', '/%09/evil.example', 'https://evil.example/', postPath]) {
      await page.goto(`/signin?next=${next}`);
      await page.getByLabel('Email').fill(bob.email);
      await page.getByLabel('Password').fill(bob.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
      const landed = new URL(page.url());
      expect(landed.origin).toBe(site);
      expect(landed.pathname).toBe(next.startsWith('/posts/') ? next : '/');
      await context.clearCookies();
    }
  } finally {
    await context.close();
  }
});

test('works on a phone-sized screen', async () => {
  const { context, page } = await suite.visitor(phone);
  try {
    await page.goto(postPath);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    // Nothing wider than the screen: no sideways scrolling.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('link', { name: 'Sign up' }).waitFor();
    await page.goto('/');
    await page.getByRole('link', { name: title }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await screenshot(page, 'home-phone');
  } finally {
    await context.close();
  }
});

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}
