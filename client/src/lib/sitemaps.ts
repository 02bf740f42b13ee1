import 'server-only';
import { Readable } from 'node:stream';
import { SitemapIndexStream, SitemapStream, streamToPromise, type SitemapItemLoose } from 'sitemap';
import { publicOrigin } from './public-url';

/**
 * The sitemap: an index (`/sitemap.xml`) of small sitemaps, one for the site's pages and tags and
 * one per page of posts (`/sitemaps/posts-<n>.xml`, the query service's list pages of 50, newest
 * first), so every request is one indexed page read however many posts there are. Written by the
 * `sitemap` library against the sitemaps.org 0.9 schema.
 */
export const postsPerSitemap = 50;

export const sitemapFiles = {
  pages: 'pages.xml',
  posts: (page: number) => `posts-${page}.xml`,
} as const;

/** `posts-<n>.xml` → n; `undefined` for any other name. */
export function postsSitemapPage(file: string): number | undefined {
  const match = /^posts-([1-9][0-9]{0,5})\.xml$/.exec(file);
  return match ? Number(match[1]) : undefined;
}

const plainNamespaces = { news: false, video: false, image: false, xhtml: false };

export async function sitemapXml(items: readonly SitemapItemLoose[]): Promise<string> {
  const stream = new SitemapStream({ hostname: publicOrigin(), xmlns: plainNamespaces });
  return (await streamToPromise(Readable.from(items).pipe(stream))).toString('utf8');
}

export async function sitemapIndexXml(files: readonly string[]): Promise<string> {
  const origin = publicOrigin();
  const stream = new SitemapIndexStream();
  return (
    await streamToPromise(Readable.from(files.map((f) => ({ url: `${origin}/sitemaps/${f}` }))).pipe(stream))
  ).toString('utf8');
}

export function xmlResponse(xml: string): Response {
  return new Response(xml, {
    headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
  });
}
