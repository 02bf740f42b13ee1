import type { Metadata } from 'next';
import Link from 'next/link';
import { ErrorState } from '@/components/ErrorState';
import { PostList } from '@/components/PostList';
import { TagLink } from '@/components/TagLink';
import { firstValue, pageNumber } from '@/lib/format';
import { currentUser, serverGet } from '@/lib/server-api';
import type { PostPage, TagCount } from '@/lib/types';

const PAGE_SIZE = 10;

type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ searchParams }: { searchParams: Search }): Promise<Metadata> {
  const tag = firstValue((await searchParams).tag);
  return { title: tag ? `#${tag}` : { absolute: 'Postline' } };
}

/** The latest posts, optionally of one tag, a page at a time; the tags beside them. */
export default async function HomePage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const tag = firstValue(params.tag)?.toLowerCase();
  const page = pageNumber(params.page);
  const query = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });
  if (tag) query.set('tag', tag);

  // Both reads at once; either may fail without taking the other down.
  const [posts, tags, user] = await Promise.all([
    serverGet<PostPage>('query', `/api/query/posts?${query}`).catch(() => null),
    serverGet<{ tags: TagCount[] }>('query', '/api/query/tags').catch(() => null),
    currentUser(),
  ]);

  const hrefFor = (n: number) =>
    `/?${new URLSearchParams({ ...(tag ? { tag } : {}), ...(n > 1 ? { page: String(n) } : {}) })}`;

  return (
    <div className="with-sidebar">
      <section aria-labelledby="home-heading">
        {tag ? (
          <div className="page-heading">
            <h1 id="home-heading">
              Posts tagged <span className="tag tag-active tag-large">#{tag}</span>
            </h1>
            <Link href="/" className="muted">
              Show all posts
            </Link>
          </div>
        ) : (
          <div className="hero">
            <h1 id="home-heading">Latest posts</h1>
            <p>Ideas, notes and stories from the Postline community.</p>
            {!user ? (
              <p className="hero-actions">
                <Link href="/signup" className="button button-primary">
                  Start writing
                </Link>
                <Link href="/signin" className="button button-secondary">
                  Sign in
                </Link>
              </p>
            ) : null}
          </div>
        )}
        {posts ? (
          <PostList
            page={posts}
            hrefFor={hrefFor}
            empty={
              tag ? (
                <p>No posts tagged #{tag} yet.</p>
              ) : (
                <p>No posts yet. {user ? <Link href="/write">Write the first one.</Link> : null}</p>
              )
            }
          />
        ) : (
          <ErrorState
            title="Posts are unavailable"
            message="We could not load the latest posts. Please try again in a moment."
          />
        )}
      </section>
      <aside className="sidebar" aria-labelledby="tags-heading">
        <div className="card">
          <h2 id="tags-heading" className="sidebar-title">
            Popular tags
          </h2>
          {tags === null ? (
            <p className="muted">Tags are unavailable right now.</p>
          ) : tags.tags.length === 0 ? (
            <p className="muted">No tags yet.</p>
          ) : (
            <ul className="tag-cloud">
              {tags.tags.slice(0, 30).map((t) => (
                <li key={t.tag}>
                  <TagLink tag={t.tag} count={t.count} active={t.tag === tag} />
                </li>
              ))}
            </ul>
          )}
        </div>
      </aside>
    </div>
  );
}
