import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ErrorState } from '@/components/ErrorState';
import { formatDate, formatDateTime, pageNumber } from '@/lib/format';
import { currentUser, serverGet } from '@/lib/server-api';
import type { DraftPage } from '@/lib/types';

export const metadata: Metadata = { title: 'Your drafts', robots: { index: false } };

/** The signed-in author's drafts, last edited first: only they see these. */
export default async function DraftsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const page = pageNumber((await searchParams).page);
  if (!(await currentUser())) redirect('/signin?next=/drafts');
  const drafts = await serverGet<DraftPage>('query', `/api/query/drafts?page=${page}&limit=20`).catch(() => null);
  return (
    <section aria-labelledby="drafts-heading">
      <div className="page-heading">
        <h1 id="drafts-heading">Your drafts</h1>
        <p className="muted">Only you can see these until you publish them.</p>
      </div>
      {!drafts ? (
        <ErrorState title="Your drafts are unavailable" message="We could not load your drafts. Please try again." />
      ) : drafts.posts.length === 0 ? (
        <div className="empty-state">
          <p>
            No drafts. <Link href="/write">Write something</Link>: it stays a draft until you publish it.
          </p>
        </div>
      ) : (
        <>
          <ul className="draft-list">
            {drafts.posts.map((draft) => (
              <li key={draft.id} className="card draft-item" data-testid="draft">
                <h2>
                  <Link href={`/drafts/${draft.id}`}>{draft.title}</Link>
                </h2>
                <p className="muted">
                  {draft.publishAt ? (
                    <>
                      Scheduled for <time dateTime={draft.publishAt}>{formatDateTime(draft.publishAt)}</time>
                    </>
                  ) : (
                    'Draft'
                  )}{' '}
                  · last edited <time dateTime={draft.updatedAt}>{formatDate(draft.updatedAt)}</time>
                </p>
                {draft.excerpt ? <p className="post-card-excerpt">{draft.excerpt}</p> : null}
              </li>
            ))}
          </ul>
          {drafts.totalPages > 1 ? (
            <nav className="pagination" aria-label="Pages">
              {page > 1 ? <Link href={`/drafts?page=${page - 1}`}>← Newer</Link> : <span />}
              <span className="pagination-status">
                Page {drafts.page} of {drafts.totalPages}
              </span>
              {page < drafts.totalPages ? <Link href={`/drafts?page=${page + 1}`}>Older →</Link> : <span />}
            </nav>
          ) : null}
        </>
      )}
    </section>
  );
}
