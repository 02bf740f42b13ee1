import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isTag, normaliseTag } from '@postline/common/rules';
import { ErrorState } from '@/components/ErrorState';
import { FeedLink } from '@/components/FeedLink';
import { PopularTags } from '@/components/PopularTags';
import { PostList } from '@/components/PostList';
import { pageNumber, plural } from '@/lib/format';
import { feedLinks } from '@/lib/page-metadata';
import { publicUrl } from '@/lib/public-url';
import { decodedParam } from '@/lib/route-responses';
import { ServiceError, serverGet } from '@/lib/server-api';
import { siteName, sitePaths } from '@/lib/site-paths';
import type { PostPage, TagCount } from '@/lib/types';

const PAGE_SIZE = 10;

type Params = Promise<{ tag: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

/** The tag as posts carry it (`/tags/Web%20Dev` is web-dev's archive). */
async function tagOf(params: Params): Promise<string> {
  return normaliseTag(decodedParam((await params).tag));
}

export async function generateMetadata({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Search;
}): Promise<Metadata> {
  const tag = await tagOf(params);
  const page = pageNumber((await searchParams).page);
  return {
    title: `#${tag}${page > 1 ? ` (page ${page})` : ''}`,
    description: `Posts tagged #${tag} on ${siteName}.`,
    alternates: {
      canonical: publicUrl(sitePaths.tag(tag, page)),
      types: feedLinks({ title: `#${tag} on ${siteName}`, path: sitePaths.tagFeed(tag) }),
    },
  };
}

/** A tag's archive: its posts, newest first, a page at a time, with the tag's feed. */
export default async function TagPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const tag = await tagOf(params);
  if (!isTag(tag)) notFound();
  const page = pageNumber((await searchParams).page);
  const query = new URLSearchParams({ tag, page: String(page), limit: String(PAGE_SIZE) });
  const [posts, tags] = await Promise.all([
    // As a signed-out reader: the page is cached, the same for everyone.
    serverGet<PostPage>('query', `/api/query/posts?${query}`, { anonymous: true }).catch((err: unknown) => {
      // 400: not something a tag can be.
      if (err instanceof ServiceError && err.status === 400) notFound();
      return null;
    }),
    serverGet<{ tags: TagCount[] }>('query', '/api/query/tags', { anonymous: true }).catch(() => null),
  ]);
  // A tag no published post carries has no archive: 404, as for any page that shows nothing.
  if (posts?.total === 0) notFound();

  return (
    <div className="with-sidebar">
      <section aria-labelledby="tag-heading">
        <div className="page-heading">
          <h1 id="tag-heading">
            Posts tagged <span className="tag tag-active tag-large">#{tag}</span>
          </h1>
          <p className="archive-meta">
            {posts ? <span className="muted">{plural(posts.total, 'post')}</span> : null}
            <FeedLink href={sitePaths.tagFeed(tag)} label={`Subscribe to #${tag} via RSS`} />
            <Link href="/" className="muted">
              Show all posts
            </Link>
          </p>
        </div>
        {posts ? (
          <PostList page={posts} hrefFor={(n) => sitePaths.tag(tag, n)} empty={<p>No posts tagged #{tag} yet.</p>} />
        ) : (
          <ErrorState
            title="Posts are unavailable"
            message="We could not load these posts. Please try again in a moment."
          />
        )}
      </section>
      <PopularTags tags={tags?.tags ?? null} active={tag} />
    </div>
  );
}
