import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Page } from 'playwright-core';
import { browserSuite, reloadUntil, screenshot, signUp } from './browser';

/**
 * Drafts in a real browser, through the gateway with the whole platform
 * running: an author saves a draft, which another reader finds nowhere (home
 * page, tag archive, the post's address, the RSS feed and the sitemap, read
 * with an XML parser); the author finds it under Drafts, previews it, and
 * publishes it; then it is everywhere. A scheduled draft is published by the
 * posts service at its time with nobody on the page.
 */

const run = Math.random().toString(36).slice(2, 8);
const tag = `draft${run}`;
const dana = { email: `dana-${run}@example.test`, username: `dana_${run}`, password: 'correct horse battery' };
const eli = { email: `eli-${run}@example.test`, username: `eli_${run}`, password: 'another good password' };
const title = `Thoughts in progress ${run}`;
const scheduledTitle = `Out on its own ${run}`;
const body = '## Not ready yet\n\nA draft is **private** until its author publishes it.';

// Scheduled drafts go out within a second of their time in this test.
const suite = browserSuite('drafts', { POSTS_DUE_CHECK_MS: '500' });
let author: Page;
let reader: Page;
let draftPath: string;

const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['item', 'url'].includes(name) });
async function fetchXml(path: string) {
  const res = await fetch(`${suite.platform.url}${path}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML at ${path}: ${JSON.stringify(valid.err)}`);
  return xml.parse(text);
}
const feedTitles = async (path: string): Promise<string[]> =>
  ((await fetchXml(path)).rss.channel.item ?? []).map((item: { title: string }) => String(item.title));
async function sitemapUrls(): Promise<string[]> {
  const index = await fetchXml('/sitemap.xml');
  const files: string[] = [index.sitemapindex.sitemap].flat().map((s: { loc: string }) => s.loc);
  const urls: string[] = [];
  for (const file of files) {
    const doc = await fetchXml(new URL(file).pathname);
    urls.push(...(doc.urlset.url ?? []).map((u: { loc: string }) => u.loc));
  }
  return urls;
}

beforeAll(async () => {
  author = (await suite.visitor()).page;
  reader = (await suite.visitor()).page;
});

const cardTitled = (page: Page, text: string) => page.getByTestId('post-card').filter({ hasText: text });

test('an author saves a draft: only they see it, under Drafts, in a preview', async () => {
  await signUp(author, dana);
  await signUp(reader, eli);
  // A published post of the same tag, so the tag's archive and feed exist for the reader.
  const res = await author.request.post('/api/posts', {
    data: { title: `Already out ${run}`, body: 'Published at once.', tags: [tag] },
  });
  expect(res.status()).toBe(201);

  await author.goto('/write');
  await author.getByLabel('Title').fill(title);
  await author.getByLabel('Tags').fill(tag);
  await author.getByLabel('Body (Markdown)').fill(body);
  await author.getByRole('button', { name: 'Save draft' }).click();

  // The editor opens the preview: the post as it will look, marked as a draft.
  await author.getByTestId('draft-preview').waitFor({ timeout: 20_000 });
  draftPath = new URL(author.url()).pathname;
  expect(draftPath).toMatch(/^\/drafts\/[0-9a-f]{24}$/);
  await author.getByRole('heading', { level: 1, name: title }).waitFor();
  await author.locator('.post-body .prose').getByRole('heading', { name: 'Not ready yet' }).waitFor();
  expect(await author.locator('.post-body strong').textContent()).toBe('private');
  expect(await author.getByRole('status').textContent()).toContain('only you can see this');
  await screenshot(author, 'draft-preview');

  await author.getByRole('link', { name: 'Drafts', exact: true }).click();
  await author.getByRole('heading', { name: 'Your drafts' }).waitFor();
  await author.getByTestId('draft').filter({ hasText: title }).waitFor();
});

test('another reader finds the draft nowhere: home, tag archive, its address, the feeds and the sitemap', async () => {
  await reader.goto('/');
  await cardTitled(reader, `Already out ${run}`).waitFor({ timeout: 20_000 });
  expect(await cardTitled(reader, title).count()).toBe(0);
  await reader.goto(`/tags/${tag}`);
  await cardTitled(reader, `Already out ${run}`).waitFor();
  expect(await cardTitled(reader, title).count()).toBe(0);

  const id = draftPath.split('/').pop()!;
  // "Not found" in the page and in its status (no loading boundary lets a 200 out first).
  for (const path of [`/posts/${id}`, draftPath]) {
    expect((await reader.goto(path))?.status()).toBe(404);
    await reader.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    expect(await reader.getByText(title).count()).toBe(0);
  }
  expect((await reader.request.get(`/api/query/posts/${id}`)).status()).toBe(404);
  expect((await reader.request.get(`/api/posts/${id}`)).status()).toBe(404);
  const comment = await reader.request.post('/api/comments', { data: { postId: id, body: 'Early bird' } });
  expect(comment.status()).toBe(404);

  expect(await feedTitles('/feed.xml')).toContain(`Already out ${run}`);
  expect(await feedTitles('/feed.xml')).not.toContain(title);
  expect(await feedTitles(`/tags/${tag}/feed.xml`)).not.toContain(title);
  expect(await feedTitles(`/users/${dana.username}/feed.xml`)).not.toContain(title);
  const urls = await sitemapUrls();
  expect(urls.some((u) => u.includes(`already-out-${run}`))).toBe(true);
  expect(urls.filter((u) => u.includes('thoughts-in-progress'))).toEqual([]);
});

test('published from the preview, it appears for the reader, in the feed and the sitemap', async () => {
  await author.goto(draftPath);
  await author.getByRole('button', { name: 'Publish now' }).click();
  await author.getByRole('heading', { level: 1, name: title }).waitFor();
  await author.waitForURL(/\/posts\/thoughts-in-progress/, { timeout: 20_000 });

  await reader.goto('/');
  await reloadUntil(reader, async () => (await cardTitled(reader, title).count()) === 1);
  // Newest published first: above the post published before it.
  const titles = await reader.getByTestId('post-card').locator('h2').allTextContents();
  expect(titles.indexOf(title)).toBeLessThan(titles.indexOf(`Already out ${run}`));
  await cardTitled(reader, title).getByRole('link', { name: title }).click();
  await reader.locator('.post-body .prose').getByRole('heading', { name: 'Not ready yet' }).waitFor();

  expect(await feedTitles('/feed.xml')).toContain(title);
  expect(await feedTitles(`/tags/${tag}/feed.xml`)).toContain(title);
  expect((await sitemapUrls()).some((u) => u.includes('thoughts-in-progress'))).toBe(true);

  await author.goto('/drafts');
  await author.getByText('No drafts.').waitFor();
});

test('a scheduled draft is published at its time with nobody on the page', async () => {
  await author.goto('/write');
  await author.getByLabel('Title').fill(scheduledTitle);
  await author.getByLabel('Body (Markdown)').fill('Written now, out in a few seconds.');
  // Scheduled from the editor for tomorrow (the field is in the browser's own time zone)…
  const tomorrow = await author.evaluate(() => {
    const at = new Date(Date.now() + 24 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  });
  await author.getByLabel('Publish at (optional)').fill(tomorrow);
  await author.getByRole('button', { name: 'Schedule' }).click();
  await author.getByTestId('draft-preview').waitFor({ timeout: 20_000 });
  await author.getByRole('status').getByText('Scheduled for').waitFor();
  const id = new URL(author.url()).pathname.split('/').pop()!;
  const stored = await (await author.request.get(`/api/posts/${id}`)).json();
  expect(Math.abs(Date.parse(stored.publishAt) - (Date.now() + 24 * 3600_000))).toBeLessThan(5 * 60_000);
  // …unscheduled from the preview…
  await author.getByRole('button', { name: 'Unschedule' }).click();
  await author.getByRole('status').getByText('Not published yet.').waitFor({ timeout: 20_000 });
  // …and scheduled some seconds ahead (the field has minutes only), then nobody is left on the author's side.
  // The lead is long enough for the Drafts list to show the schedule on a loaded machine before it comes due.
  const at = new Date(Date.now() + 12_000).toISOString();
  expect((await author.request.post(`/api/posts/${id}/schedule`, { data: { publishAt: at } })).status()).toBe(200);
  await author.goto('/drafts');
  const scheduledDraft = author.getByTestId('draft').filter({ hasText: scheduledTitle }).getByText('Scheduled for');
  await reloadUntil(author, async () => (await scheduledDraft.count()) === 1, 10_000);
  await author.close();

  await reader.goto('/');
  await reloadUntil(reader, async () => (await cardTitled(reader, scheduledTitle).count()) === 1, 30_000);
});
