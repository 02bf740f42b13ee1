import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatDate } from '@/lib/format';
import { sitePaths } from '@/lib/site-paths';
import type { CommentView } from '@/lib/types';
import { Avatar } from '../Avatar';
import { Markdown } from '../Markdown';

/** `updatedAt` moves only when the text changes (a decision leaves it), so a later one means edited. */
export const isEdited = (comment: CommentView) => Date.parse(comment.updatedAt) > Date.parse(comment.createdAt);

/**
 * One comment as the reader it is sent to sees it. Every reader: who wrote it, when, the text.
 * Its author and moderators (the only ones the query service sends pending and rejected comments
 * to): the status, and why; a moderator, the way to the queue. `tools` are what the reader may do
 * with it; `editor` replaces the text while its author edits it.
 */
export function CommentItem({
  comment,
  isMine,
  tools,
  editor,
}: {
  comment: CommentView;
  isMine: boolean;
  tools?: ReactNode;
  editor?: ReactNode;
}) {
  return (
    <li className={`comment comment-${comment.status}`} data-testid="comment" data-status={comment.status}>
      <div className="comment-meta">
        <Avatar username={comment.author.username} size="sm" />
        <Link href={sitePaths.author(comment.author.username)} className="author-link">
          {comment.author.username}
        </Link>
        <time dateTime={comment.createdAt}>{formatDate(comment.createdAt)}</time>
        {isEdited(comment) ? (
          <span data-testid="comment-edited">
            · edited <time dateTime={comment.updatedAt}>{formatDate(comment.updatedAt)}</time>
          </span>
        ) : null}
        <StatusBadge comment={comment} />
        {tools ? <span className="comment-tools">{tools}</span> : null}
      </div>
      {editor ?? <Markdown source={comment.body} compact />}
      {comment.status === 'rejected' ? (
        <p className="comment-reason" data-testid="comment-reason">
          Not published{comment.reason ? `: ${comment.reason}` : ''}.{' '}
          {isMine ? 'Only you can see this comment.' : 'Only its author and moderators can see it.'}
        </p>
      ) : null}
      {comment.status === 'pending' ? (
        <p className="comment-reason comment-reason-pending" data-testid="comment-pending-note">
          {isMine ? (
            isEdited(comment) ? (
              'Edited: awaiting moderation again; only you can see the new text until it is approved.'
            ) : (
              'Awaiting moderation; only you can see it until it is approved.'
            )
          ) : (
            // Someone else's pending comment reaches moderators only.
            <>
              Awaiting moderation: decide it in the <Link href="/moderation">moderation queue</Link>.
            </>
          )}
        </p>
      ) : null}
    </li>
  );
}

function StatusBadge({ comment }: { comment: CommentView }) {
  if (comment.status === 'approved') return null;
  return (
    <span className={`badge badge-${comment.status}`} data-testid="comment-status">
      {comment.status === 'pending' ? 'Pending' : 'Rejected'}
    </span>
  );
}
