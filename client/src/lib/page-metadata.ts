import 'server-only';
import type { Metadata } from 'next';
import { publishedOf } from './format';
import { publicUrl } from './public-url';
import { siteName, sitePaths } from './site-paths';
import type { PostDetail } from './types';

type Alternates = NonNullable<Metadata['alternates']>;

/** `<link rel="alternate" type="application/rss+xml">` for feeds (the whole blog's first). */
export function feedLinks(...feeds: { title: string; path: string }[]): Alternates['types'] {
  const all = [{ title: siteName, path: sitePaths.blogFeed }, ...feeds];
  return { 'application/rss+xml': all.map((f) => ({ title: f.title, url: publicUrl(f.path) })) };
}

/**
 * What a shared link shows, rendered into the page's head on the server: title, description, the
 * canonical URL (by slug), Open Graph (`article`) and a Twitter summary card.
 */
export function postMetadata(post: PostDetail): Metadata {
  const url = publicUrl(sitePaths.post(post.slug));
  const description = post.excerpt || post.title;
  return {
    title: post.title,
    description,
    authors: [{ name: post.author.username, url: publicUrl(sitePaths.author(post.author.username)) }],
    keywords: post.tags,
    alternates: {
      canonical: url,
      types: feedLinks({
        title: `${post.author.username} on ${siteName}`,
        path: sitePaths.authorFeed(post.author.username),
      }),
    },
    openGraph: {
      type: 'article',
      siteName,
      url,
      title: post.title,
      description,
      publishedTime: publishedOf(post),
      modifiedTime: post.updatedAt,
      authors: [publicUrl(sitePaths.author(post.author.username))],
      tags: post.tags,
      ...(post.author.image ? { images: [{ url: post.author.image, alt: post.author.username }] } : {}),
    },
    twitter: { card: 'summary', title: post.title, description },
  };
}

/** schema.org `BlogPosting` for a post (https://schema.org/BlogPosting). */
export function blogPostingOf(post: PostDetail): Record<string, unknown> {
  const url = publicUrl(sitePaths.post(post.slug));
  return {
    '@context': 'https://schema.org',
    '@type': 'BlogPosting',
    '@id': url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    url,
    headline: post.title,
    description: post.excerpt || post.title,
    datePublished: publishedOf(post),
    dateModified: post.updatedAt,
    author: {
      '@type': 'Person',
      name: post.author.username,
      url: publicUrl(sitePaths.author(post.author.username)),
      ...(post.author.image ? { image: post.author.image } : {}),
    },
    publisher: { '@type': 'Organization', name: siteName, url: publicUrl(sitePaths.home) },
    keywords: post.tags.join(', '),
    timeRequired: `PT${post.readingMinutes}M`,
    interactionStatistic: [
      {
        '@type': 'InteractionCounter',
        interactionType: 'https://schema.org/LikeAction',
        userInteractionCount: post.likeCount,
      },
      {
        '@type': 'InteractionCounter',
        interactionType: 'https://schema.org/CommentAction',
        userInteractionCount: post.commentCount,
      },
    ],
  };
}

/**
 * JSON for an inline `<script type="application/ld+json">`: `<` is written as `\u003c` (still the
 * same JSON), so no text in a post (`</script>`, `<!--`) can end the script element early; U+2028
 * and U+2029 likewise, for older parsers.
 */
export function jsonLdText(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
