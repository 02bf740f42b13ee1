import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ErrorState } from '@/components/ErrorState';
import { PostList } from '@/components/PostList';
import { pageNumber } from '@/lib/format';
import { currentUser, serverGet } from '@/lib/server-api';
import type { PostPage } from '@/lib/types';

export const metadata: Metadata = { title: 'Your feed' };

/** Posts of the authors the signed-in user follows. */
export default async function FeedPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const page = pageNumber((await searchParams).page);
  if (!(await currentUser())) redirect('/signin?next=/feed');
  const feed = await serverGet<PostPage>('query', `/api/query/feed?page=${page}&limit=10`).catch(() => null);
  return (
    <section aria-labelledby="feed-heading">
      <div className="page-heading">
        <h1 id="feed-heading">Your feed</h1>
        <p className="muted">New posts from the authors you follow.</p>
      </div>
      {feed ? (
        <PostList
          page={feed}
          hrefFor={(n) => `/feed?page=${n}`}
          empty={
            <p>
              Your feed is empty. Follow authors from their profile to see their posts here;{' '}
              <Link href="/">browse the latest posts</Link> to find some.
            </p>
          }
        />
      ) : (
        <ErrorState
          title="Your feed is unavailable"
          message="We could not load your feed. Please try again in a moment."
        />
      )}
    </section>
  );
}
