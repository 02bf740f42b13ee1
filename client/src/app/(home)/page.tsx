import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { normaliseTag } from '@postline/common/rules';
import { ErrorState } from '@/components/ErrorState';
import { FeedLink } from '@/components/FeedLink';
import { PopularTags } from '@/components/PopularTags';
import { PostList } from '@/components/PostList';
import { SignedInOnly, SignedOutOnly } from '@/components/ByReader';
import { firstValue, pageNumber } from '@/lib/format';
import { feedLinks } from '@/lib/page-metadata';
import { publicUrl } from '@/lib/public-url';
import { serverGet } from '@/lib/server-api';
import { siteName, sitePaths } from '@/lib/site-paths';
import type { PostPage, TagCount } from '@/lib/types';

const PAGE_SIZE = 10;

type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ searchParams }: { searchParams: Search }): Promise<Metadata> {
  const page = pageNumber((await searchParams).page);
  return {
    title: page > 1 ? `Latest posts (page ${page})` : { absolute: siteName },
    alternates: { canonical: publicUrl(page > 1 ? `/?page=${page}` : sitePaths.home), types: feedLinks() },
  };
}

/** The latest posts, a page at a time; the tags beside them. */
export default async function HomePage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  // Tag lists have their own archive pages; links of the form /?tag= keep working.
  const raw = firstValue(params.tag);
  const tag = raw === undefined ? undefined : normaliseTag(raw);
  if (tag) redirect(sitePaths.tag(tag, pageNumber(params.page)));
  const page = pageNumber(params.page);
  const query = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });

  // Both reads at once, as a signed-out reader (the page is cached); either may fail without taking the other down.
  const [posts, tags] = await Promise.all([
    serverGet<PostPage>('query', `/api/query/posts?${query}`, { anonymous: true }).catch(() => null),
    serverGet<{ tags: TagCount[] }>('query', '/api/query/tags', { anonymous: true }).catch(() => null),
  ]);

  const hrefFor = (n: number) => (n > 1 ? `/?page=${n}` : '/');

  return (
    <div className="with-sidebar">
      <section aria-labelledby="home-heading">
        <div className="hero">
          <h1 id="home-heading">Latest posts</h1>
          <p>Ideas, notes and stories from the Postline community.</p>
          <p className="hero-actions">
            <SignedOutOnly>
              <Link href="/signup" className="button button-primary">
                Start writing
              </Link>
              <Link href="/signin" className="button button-secondary">
                Sign in
              </Link>
            </SignedOutOnly>
            <FeedLink href={sitePaths.blogFeed} label="Subscribe via RSS" />
          </p>
        </div>
        {posts ? (
          <PostList
            page={posts}
            hrefFor={hrefFor}
            empty={
              <p>
                No posts yet.{' '}
                <SignedInOnly>
                  <Link href="/write">Write the first one.</Link>
                </SignedInOnly>
              </p>
            }
          />
        ) : (
          <ErrorState
            title="Posts are unavailable"
            message="We could not load the latest posts. Please try again in a moment."
          />
        )}
      </section>
      <PopularTags tags={tags?.tags ?? null} />
    </div>
  );
}
