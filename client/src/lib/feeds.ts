import 'server-only';
import { Feed } from 'feed';
import { publishedOf } from './format';
import { publicOrigin } from './public-url';
import { siteName, sitePaths } from './site-paths';
import type { PostSummary } from './types';

/** How many of the newest posts a feed carries (readers keep what they have already fetched). */
export const feedSize = 20;

/** Characters XML 1.0 forbids anywhere (C0 controls but tab, newline, return; lone surrogates; U+FFFE/FFFF). */
// eslint-disable-next-line no-control-regex -- naming the control characters XML allows is the point
const notXmlChar = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text as the feed library may write it: no characters XML forbids, and no `]]>`, which would end
 * the CDATA section `feed` wraps titles and descriptions in (its XML writer escapes only the first
 * one); a zero-width space keeps what a reader sees.
 */
export function xmlText(text: string): string {
  return text.replace(notXmlChar, '').replaceAll(']]>', ']]\u200B>');
}

export interface FeedSource {
  /** What the feed is, e.g. "Postline" or "#design on Postline". */
  title: string;
  description: string;
  /** The page the feed mirrors, and the feed's own URL (both site paths). */
  pagePath: string;
  feedPath: string;
  posts: readonly PostSummary[];
}

/**
 * An RSS 2.0 document for a list of posts, newest first, written by `feed` (channel with its own
 * `atom:link rel="self"`, items with a permalink guid, pubDate, categories and the excerpt). Items
 * name no author: RSS's `<author>` must be an e-mail address, which the read models do not have.
 */
export function rssOf(source: FeedSource): string {
  const origin = publicOrigin();
  const newest = source.posts.reduce<Date | undefined>((latest, post) => {
    const updated = new Date(post.updatedAt);
    return !latest || updated > latest ? updated : latest;
  }, undefined);
  const feed = new Feed({
    title: xmlText(source.title),
    description: xmlText(source.description),
    id: `${origin}${source.pagePath}`,
    link: `${origin}${source.pagePath}`,
    feedLinks: { rss: `${origin}${source.feedPath}` },
    language: 'en',
    // The newest change in the feed, so an unchanged feed reads the same every time.
    updated: newest ?? new Date(0),
    generator: siteName,
    copyright: `The authors of ${siteName}`,
  });
  for (const post of source.posts) {
    const link = `${origin}${sitePaths.post(post.slug)}`;
    feed.addItem({
      title: xmlText(post.title),
      link,
      // The post's id, not its link: a slug may change, the post stays the same item.
      id: `${origin}/posts/${post.id}`,
      date: new Date(post.updatedAt),
      published: new Date(publishedOf(post)),
      description: xmlText(post.excerpt),
      category: post.tags.map((tag) => ({ name: xmlText(tag), domain: `${origin}${sitePaths.tag(tag)}` })),
    });
  }
  return feed.rss2();
}

/** The response for a feed: RSS's media type; readers revalidate like every other page. */
export function rssResponse(xml: string): Response {
  return new Response(xml, {
    headers: { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
  });
}
