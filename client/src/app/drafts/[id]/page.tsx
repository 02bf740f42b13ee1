import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { DraftActions } from '@/components/DraftActions';
import { PostArticle } from '@/components/PostArticle';
import { formatDate, formatDateTime } from '@/lib/format';
import { currentUser, serverGetOrNull } from '@/lib/server-api';
import type { DraftDetail } from '@/lib/types';

export const metadata: Metadata = { title: 'Preview', robots: { index: false } };

/**
 * The author's preview of a draft, laid out as its page will be once
 * published (the same header and Markdown), with what they can do with it.
 * Anyone else gets "not found": the query service answers only the author.
 */
export default async function DraftPreviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!(await currentUser())) redirect(`/signin?next=${encodeURIComponent(`/drafts/${id}`)}`);
  const answer = await serverGetOrNull<{ post: DraftDetail }>('query', `/api/query/drafts/${encodeURIComponent(id)}`);
  if (!answer) notFound();
  const { post } = answer;
  if (post.status === 'published') redirect(`/posts/${post.slug}`);

  return (
    <PostArticle
      post={post}
      testId="draft-preview"
      before={
        <div className="draft-banner" role="status">
          <p>
            <strong>Draft preview</strong> — only you can see this.{' '}
            {post.publishAt ? (
              <>
                Scheduled for <time dateTime={post.publishAt}>{formatDateTime(post.publishAt)}</time>.
              </>
            ) : (
              'Not published yet.'
            )}{' '}
            <Link href="/drafts">All drafts</Link>
          </p>
          <DraftActions postId={post.id} publishAt={post.publishAt} />
        </div>
      }
      date={<time dateTime={post.updatedAt}>{formatDate(post.updatedAt)}</time>}
    />
  );
}
