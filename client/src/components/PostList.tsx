import Link from 'next/link';
import type { PostPage } from '@/lib/types';
import { PostCard } from './PostCard';

/** A page of posts with previous/next links; `hrefFor(page)` keeps the list's own filters. */
export function PostList({
  page,
  hrefFor,
  empty,
}: {
  page: PostPage;
  hrefFor: (page: number) => string;
  empty: React.ReactNode;
}) {
  if (page.posts.length === 0) return <div className="empty-state">{empty}</div>;
  return (
    <>
      <div className="post-list">
        {page.posts.map((post) => (
          <PostCard key={post.id} post={post} />
        ))}
      </div>
      {page.totalPages > 1 ? (
        <nav className="pagination" aria-label="Pages">
          {page.page > 1 ? (
            <Link href={hrefFor(page.page - 1)} rel="prev" className="button button-secondary">
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          <span className="pagination-status">
            Page {page.page} of {page.totalPages}
          </span>
          {page.page < page.totalPages ? (
            <Link href={hrefFor(page.page + 1)} rel="next" className="button button-secondary">
              Older →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </>
  );
}
