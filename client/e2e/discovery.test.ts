import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import type { Page } from 'playwright-core';
import { eventually } from '@postline/common/testing';
import { ApiUser } from '../../infra/src/e2e/api-client';
import { browserSuite, screenshot } from './browser';

/**
 * Feeds, discovery and sharing, through the gateway with the whole platform running: tag and
 * author archives with pagination and reading time in a real browser; the RSS feeds, the sitemap
 * and robots.txt fetched as a crawler would and read with an XML parser; a post page's head
 * (title, description, canonical, Open Graph, Twitter card, BlogPosting JSON-LD) read with an
 * HTML parser from the HTML the server sends, before any script runs.
 */

jest.setTimeout(120_000);

const run = Math.random().toString(36).slice(2, 8);
const tag = `feeds${run}`;
const author = `writer_${run}`;
/** 13 posts with the tag: the archives show 10 a page, so two pages. */
const postCount = 13;
/** A title that would break out of a script element or a CDATA section if either were written naively. */
const hostileTitle = `Ends </script><script>window.__ld=1</script> & "quotes" ]]> <b>x</b> ]]> ${run}`;
/** A tag with characters a URL path must escape (`#`, `+`, a non-ASCII letter). */
const oddTag = `c#.net+café-${run}`;
/** 900 words: 5 minutes at 200 words a minute. */
const longBody = `# A long read\n\n${Array.from({ length: 898 }, (_, i) => `word${i}`).join(' ')}`;

const suite = browserSuite('discovery');
let page: Page;
let writer: ApiUser & { id: string };
const posts: { id: string; slug: string; title: string }[] = [];

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['item', 'url', 'sitemap', 'category', 'atom:link'].includes(name),
});

async function fetchText(path: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${suite.platform.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Parses an XML document after checking it is well-formed (the parser alone would accept broken markup). */
function parseXml(text: string) {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  return xml.parse(text);
}

beforeAll(async () => {
  writer = await ApiUser.signUp(suite.platform.url, author);
  for (let i = 0; i < postCount; i++) {
    const title = i === 0 ? hostileTitle : i === 1 ? `A long read ${run}` : `Archive post ${i} ${run}`;
    const body = i === 1 ? longBody : `Post number ${i}: a few words about feeds and archives.`;
    const created = await writer.expect<{ id: string; slug: string }>(201, 'POST', '/api/posts', {
      title,
      body,
      tags: [tag, i % 2 === 0 ? 'even' : 'odd', ...(i === 2 ? [oddTag] : [])],
    });
    posts.push({ id: created.id, slug: created.slug, title });
  }
  await eventually(
    async () =>
      (await writer.request<{ total: number }>('GET', `/api/query/posts?tag=${tag}&limit=1`)).body.total === postCount,
    30_000,
    'the posts in the tag list',
  );
  page = (await suite.visitor()).page;
}, 60_000);

const newestFirst = () => [...posts].reverse();
const absolute = (path: string) => `${suite.platform.url}${path}`;
const feedHrefs = (p: Page) =>
  p
    .locator('head link[rel="alternate"][type="application/rss+xml"]')
    .evaluateAll((links) => links.map((l) => ({ href: (l as HTMLLinkElement).href, title: l.getAttribute('title') })));

test('a tag archive pages through its posts, shows reading times and links its feed', async () => {
  await page.goto('/');
  await page
    .locator('[data-testid="post-card"]', { hasText: posts[12]!.title })
    .getByRole('link', { name: `#${tag}` })
    .click();
  await page.getByRole('heading', { level: 1, name: `Posts tagged #${tag}` }).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/tags/${tag}`);
  const titles = () => page.locator('[data-testid="post-card"] h2').allTextContents();
  expect(await titles()).toEqual(
    newestFirst()
      .slice(0, 10)
      .map((p) => p.title),
  );
  await page.getByText('Page 1 of 2').waitFor();
  expect(await feedHrefs(page)).toEqual([
    { href: absolute('/feed.xml'), title: 'Postline' },
    { href: absolute(`/tags/${tag}/feed.xml`), title: `#${tag} on Postline` },
  ]);
  expect(await page.getByRole('link', { name: `Subscribe to #${tag} via RSS` }).getAttribute('href')).toBe(
    `/tags/${tag}/feed.xml`,
  );
  await screenshot(page, 'tag-archive');

  await page.getByRole('link', { name: 'Older →' }).click();
  await page.getByText('Page 2 of 2').waitFor();
  expect(new URL(page.url()).search).toBe('?page=2');
  expect(await titles()).toEqual(
    newestFirst()
      .slice(10)
      .map((p) => p.title),
  );
  // Every card tells its reading time: 5 minutes for the 900 words, 1 for the short ones.
  const longCard = page.locator('[data-testid="post-card"]', { hasText: `A long read ${run}` });
  expect(await longCard.getByTestId('reading-time').textContent()).toBe('5 min read');
  const times = await page.getByTestId('reading-time').allTextContents();
  expect(times.sort()).toEqual(['1 min read', '1 min read', '5 min read']);

  // The old form of a tag link still lands on the archive.
  await page.goto(`/?tag=${tag}&page=2`);
  await page.getByText('Page 2 of 2').waitFor();
  expect(new URL(page.url()).pathname).toBe(`/tags/${tag}`);
});

test("an author's archive pages through their posts and links their feed", async () => {
  await page.goto(`/users/${author}`);
  await page.getByRole('heading', { level: 1, name: author }).waitFor();
  await page.getByText('Page 1 of 2').waitFor();
  expect(await feedHrefs(page)).toEqual([
    { href: absolute('/feed.xml'), title: 'Postline' },
    { href: absolute(`/users/${author}/feed.xml`), title: `${author} on Postline` },
  ]);
  expect(await page.getByRole('link', { name: `Subscribe to ${author} via RSS` }).getAttribute('href')).toBe(
    `/users/${author}/feed.xml`,
  );
  await page.getByRole('link', { name: 'Older →' }).click();
  await page.getByText('Page 2 of 2').waitFor();
  expect(await page.getByTestId('post-card').count()).toBe(3);
  expect(new URL(page.url()).search).toBe('?page=2');
});

test('the home page links the blog feed, and a post page shows its reading time', async () => {
  await page.goto('/');
  expect(await feedHrefs(page)).toEqual([{ href: absolute('/feed.xml'), title: 'Postline' }]);
  expect(await page.getByRole('link', { name: 'Subscribe via RSS' }).getAttribute('href')).toBe('/feed.xml');
  // The long read is one of the oldest: on the second page.
  await page.getByRole('link', { name: 'Older →' }).click();
  await page.getByRole('link', { name: `A long read ${run}` }).click();
  await page.getByRole('heading', { level: 1, name: `A long read ${run}` }).waitFor();
  expect(await page.locator('.post-header').getByTestId('reading-time').textContent()).toBe('5 min read');
  await screenshot(page, 'post-long-read');
});

/** An RFC 822 date as RSS 2.0 requires (`Tue, 24 Nov 2026 20:10:20 GMT`). */
const rfc822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = any;

/** The parts of RSS 2.0 (https://www.rssboard.org/rss-specification) a reader relies on, checked on the parsed document. */
function expectValidRss(doc: Parsed, feedUrl: string): Parsed[] {
  expect(doc.rss['@version']).toBe('2.0');
  expect(doc.rss['@xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
  const channel = doc.rss.channel;
  for (const required of ['title', 'link', 'description']) expect(String(channel[required] ?? '')).not.toBe('');
  expect(channel['atom:link']).toEqual([{ '@href': feedUrl, '@rel': 'self', '@type': 'application/rss+xml' }]);
  expect(channel.lastBuildDate).toMatch(rfc822);
  const items: Parsed[] = channel.item ?? [];
  for (const item of items) {
    expect(item.title).toEqual(expect.any(String));
    expect(item.link.startsWith(`${suite.platform.url}/posts/`)).toBe(true);
    expect(item.guid['#text']).toEqual(expect.stringMatching(new RegExp(`^${suite.platform.url}/posts/`)));
    expect(item.guid['@isPermaLink']).toBe('false');
    expect(item.pubDate).toMatch(rfc822);
    expect(Number.isNaN(Date.parse(item.pubDate))).toBe(false);
  }
  return items;
}

test('the blog, tag and author feeds are RSS 2.0 with absolute links, newest first', async () => {
  const blog = await fetchText('/feed.xml');
  expect(blog.status).toBe(200);
  expect(blog.type).toBe('application/rss+xml; charset=utf-8');
  const blogItems = expectValidRss(parseXml(blog.text), absolute('/feed.xml'));
  expect(blogItems.map((i) => i.link)).toEqual(newestFirst().map((p) => absolute(`/posts/${p.slug}`)));

  const tagFeed = parseXml((await fetchText(`/tags/${tag}/feed.xml`)).text);
  const tagItems = expectValidRss(tagFeed, absolute(`/tags/${tag}/feed.xml`));
  expect(tagFeed.rss.channel.link).toBe(absolute(`/tags/${tag}`));
  expect(tagItems).toHaveLength(postCount);
  for (const item of tagItems) expect(item.category.map((c: Parsed) => c['#text'])).toContain(tag);
  const evenFeed = expectValidRss(
    parseXml((await fetchText('/tags/even/feed.xml')).text),
    absolute('/tags/even/feed.xml'),
  );
  expect(evenFeed).toHaveLength(7);

  const authorItems = expectValidRss(
    parseXml((await fetchText(`/users/${author}/feed.xml`)).text),
    absolute(`/users/${author}/feed.xml`),
  );
  expect(authorItems.map((i) => i.guid['#text'])).toEqual(newestFirst().map((p) => absolute(`/posts/${p.id}`)));

  // The hostile title comes back as the same text (CDATA kept intact; the zero-width space keeps `]]>` apart).
  const hostile = blogItems.find((i) => i.guid['#text'] === absolute(`/posts/${posts[0]!.id}`));
  expect(String(hostile.title).replaceAll('\u200B', '')).toBe(hostileTitle);
  expect(hostile.description).toBe('Post number 0: a few words about feeds and archives.');
});

test('a tag with #, + and an accent has its archive, feed and sitemap entry', async () => {
  const path = `/tags/${encodeURIComponent(oddTag)}`;
  await page.goto(`/posts/${posts[2]!.slug}`);
  await page.getByRole('link', { name: `#${oddTag}` }).click();
  await page.getByRole('heading', { level: 1, name: `Posts tagged #${oddTag}` }).waitFor();
  expect(new URL(page.url()).pathname).toBe(path);
  expect(await page.getByTestId('post-card').count()).toBe(1);
  const feed = parseXml((await fetchText(`${path}/feed.xml`)).text);
  const items = expectValidRss(feed, absolute(`${path}/feed.xml`));
  expect(items.map((i) => i.link)).toEqual([absolute(`/posts/${posts[2]!.slug}`)]);
  expect(feed.rss.channel.title).toBe(`#${oddTag} on Postline`);
  const pages = parseXml((await fetchText('/sitemaps/pages.xml')).text);
  expect(pages.urlset.url.map((u: Parsed) => u.loc)).toContain(absolute(path));
});

test('feeds of what does not exist are 404s in the platform error format', async () => {
  const unknownUser = await fetchText('/users/nobody_here_at_all/feed.xml');
  expect(unknownUser.status).toBe(404);
  expect(JSON.parse(unknownUser.text)).toEqual({ errors: [{ message: 'User not found' }] });
  expect((await fetchText('/tags/%3Cscript%3E/feed.xml')).status).toBe(404);
  // A tag nobody used yet has a valid, empty feed (subscribing before the first post is fine).
  const unused = await fetchText('/tags/nothing-here-yet/feed.xml');
  expect(expectValidRss(parseXml(unused.text), absolute('/tags/nothing-here-yet/feed.xml'))).toEqual([]);
});

test('the sitemap index lists sitemaps that hold every post, tag archive and author page', async () => {
  const index = await fetchText('/sitemap.xml');
  expect(index.status).toBe(200);
  expect(index.type).toBe('application/xml; charset=utf-8');
  const parsedIndex = parseXml(index.text);
  expect(parsedIndex.sitemapindex['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
  const files: string[] = parsedIndex.sitemapindex.sitemap.map((s: Parsed) => s.loc);
  expect(files).toEqual([absolute('/sitemaps/pages.xml'), absolute('/sitemaps/posts-1.xml')]);

  const urls: Parsed[] = [];
  for (const file of files) {
    const res = await fetch(file);
    expect(res.status).toBe(200);
    const doc = parseXml(await res.text());
    expect(doc.urlset['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    urls.push(...doc.urlset.url);
  }
  const locs = urls.map((u) => u.loc);
  expect(new Set(locs).size).toBe(locs.length);
  for (const loc of locs) expect(loc.startsWith(`${suite.platform.url}/`)).toBe(true);
  expect(locs).toEqual(
    expect.arrayContaining([
      absolute('/'),
      absolute(`/tags/${tag}`),
      absolute('/tags/even'),
      absolute(`/users/${author}`),
      ...posts.map((p) => absolute(`/posts/${p.slug}`)),
    ]),
  );
  // Post entries carry their last change as a W3C date-time.
  for (const entry of urls.filter((u) => u.loc.includes('/posts/'))) {
    expect(new Date(entry.lastmod).toISOString()).toBe(entry.lastmod);
  }
  expect((await fetchText('/sitemaps/posts-2.xml')).status).toBe(404);
  expect((await fetchText('/sitemaps/other.xml')).status).toBe(404);
});

test('robots.txt lets crawlers read the blog, not the API or the editor, and names the sitemap', async () => {
  const robots = await fetchText('/robots.txt');
  expect(robots.status).toBe(200);
  const rules = robots.text
    .split('\n')
    .filter((line) => line.includes(':'))
    .map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
    });
  expect(rules[0]).toEqual(['user-agent', '*']);
  expect(rules).toEqual(
    expect.arrayContaining([
      ['disallow', '/api/'],
      ['disallow', '/write'],
      ['sitemap', absolute('/sitemap.xml')],
    ]),
  );
  // Nothing public is kept from crawlers: not posts, tags, authors or feeds.
  const disallowed = rules.filter(([field]) => field === 'disallow').map(([, path]) => path!);
  for (const path of ['/posts/x', `/tags/${tag}`, `/users/${author}`, '/feed.xml', '/sitemap.xml']) {
    expect(disallowed.filter((d) => !d.includes('*') && path.startsWith(d))).toEqual([]);
  }
});

const meta = (head: HTMLElement, attr: 'name' | 'property', key: string) =>
  head.querySelector(`meta[${attr}="${key}"]`)?.getAttribute('content');

test("a post page's head, as the server sends it, has what a shared link shows and BlogPosting JSON-LD", async () => {
  for (const post of [posts[0]!, posts[1]!]) {
    const res = await fetchText(`/posts/${post.slug}`);
    expect(res.status).toBe(200);
    const html = parseHtml(res.text);
    const head = html.querySelector('head')!;
    const url = absolute(`/posts/${post.slug}`);
    const detail = (await writer.expect<{ post: Parsed }>(200, 'GET', `/api/query/posts/${post.id}`)).post;

    expect(head.querySelector('title')?.text).toBe(`${post.title} · Postline`);
    expect(meta(head, 'name', 'description')).toBe(detail.excerpt);
    expect(head.querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe(url);
    expect(meta(head, 'property', 'og:type')).toBe('article');
    expect(meta(head, 'property', 'og:title')).toBe(post.title);
    expect(meta(head, 'property', 'og:description')).toBe(detail.excerpt);
    expect(meta(head, 'property', 'og:url')).toBe(url);
    expect(meta(head, 'property', 'og:site_name')).toBe('Postline');
    expect(meta(head, 'property', 'article:published_time')).toBe(detail.createdAt);
    expect(meta(head, 'name', 'twitter:card')).toBe('summary');
    expect(meta(head, 'name', 'twitter:title')).toBe(post.title);
    expect(meta(head, 'name', 'twitter:description')).toBe(detail.excerpt);

    const scripts = html.querySelectorAll('script[type="application/ld+json"]');
    expect(scripts).toHaveLength(1);
    const ld = JSON.parse(scripts[0]!.textContent);
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: post.title,
      url,
      mainEntityOfPage: { '@type': 'WebPage', '@id': url },
      description: detail.excerpt,
      datePublished: detail.createdAt,
      dateModified: detail.updatedAt,
      author: { '@type': 'Person', name: author, url: absolute(`/users/${author}`) },
      publisher: { '@type': 'Organization', name: 'Postline' },
      timeRequired: `PT${detail.readingMinutes}M`,
    });
    expect(Number.isNaN(Date.parse(ld.datePublished))).toBe(false);
  }
  // The hostile title never closes the JSON-LD script: exactly one element, and the text parses back to it.
  const raw = (await fetchText(`/posts/${posts[0]!.slug}`)).text;
  expect(raw).not.toContain('</script><script>window.__ld');
});

test('a post with a hostile title runs nothing in the browser', async () => {
  await page.goto(`/posts/${posts[0]!.slug}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  expect(await page.evaluate(() => (window as unknown as { __ld?: number }).__ld)).toBeUndefined();
});
