import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { Avatar } from '@/components/Avatar';
import { DraftActions } from '@/components/DraftActions';
import { Markdown } from '@/components/Markdown';
import { TagLink } from '@/components/TagLink';
import { formatDate, formatDateTime, readingTime } from '@/lib/format';
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
    <article className="post" data-testid="draft-preview">
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
      <header className="post-header">
        <ul className="tag-list" aria-label="Tags">
          {post.tags.map((tag) => (
            <li key={tag}>
              <TagLink tag={tag} />
            </li>
          ))}
        </ul>
        <h1 className="post-title">{post.title}</h1>
        <div className="post-byline">
          <Avatar username={post.author.username} image={post.author.image} />
          <div>
            <Link href={`/users/${post.author.username}`} className="author-link">
              {post.author.username}
            </Link>
            <div className="muted">
              <time dateTime={post.updatedAt}>{formatDate(post.updatedAt)}</time>
              {' · '}
              <span data-testid="reading-time">{readingTime(post.readingMinutes)}</span>
            </div>
          </div>
        </div>
      </header>
      <div className="card post-body">
        <Markdown source={post.body} />
      </div>
    </article>
  );
}
