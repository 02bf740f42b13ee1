'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, fieldErrors } from '@/lib/browser-api';
import { formatDate } from '@/lib/format';
import type { Comment, CommentView, CurrentUser, PostDetail } from '@/lib/types';
import { Avatar } from './Avatar';
import { FormErrors, FormField } from './FormField';
import { Markdown } from './Markdown';

/** How often to re-read the post while one of my comments awaits moderation: quickly at first, then gently. */
function pollDelay(sinceMs: number): number {
  return sinceMs < 60_000 ? 1_500 : 5_000;
}

/**
 * The comments of a post. A new comment appears at once (as the comments
 * service answered it, pending); while the signed-in author has pending
 * comments, the post is re-read from the query service so the status turns
 * into approved or rejected on screen without a reload.
 */
export function Comments({
  postId,
  postAuthorId,
  initial,
  user,
}: {
  postId: string;
  postAuthorId: string;
  initial: CommentView[];
  user: CurrentUser | null;
}) {
  const [serverComments, setServerComments] = useState(initial);
  // Written here but not yet in the read model (events take a moment to arrive).
  const [justWritten, setJustWritten] = useState<CommentView[]>([]);
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const pollingSince = useRef<number | null>(null);

  const known = new Set(serverComments.map((c) => c.id));
  const comments = [...serverComments, ...justWritten.filter((c) => !known.has(c.id))]
    .filter((c) => !deleted.has(c.id))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const awaitingMine = user ? comments.some((c) => c.author.id === user.id && c.status === 'pending') : false;

  const refresh = useCallback(async () => {
    const result = await api<{ post: PostDetail }>('GET', `/api/query/posts/${encodeURIComponent(postId)}`);
    if (result.ok) setServerComments(result.data.post.comments);
  }, [postId]);

  useEffect(() => {
    if (!awaitingMine) {
      pollingSince.current = null;
      return;
    }
    pollingSince.current ??= Date.now();
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      if (cancelled) return;
      if (document.visibilityState === 'visible') await refresh();
      if (!cancelled) timer = setTimeout(tick, pollDelay(Date.now() - (pollingSince.current ?? Date.now())));
    };
    timer = setTimeout(tick, pollDelay(0));
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [awaitingMine, refresh]);

  function added(comment: Comment) {
    setJustWritten((list) => [...list, toView(comment)]);
  }

  async function remove(id: string) {
    if (!window.confirm('Delete this comment?')) return;
    const result = await api('DELETE', `/api/comments/${id}`);
    if (result.ok || result.status === 404) setDeleted((set) => new Set(set).add(id));
    else window.alert(result.errors[0]?.message ?? 'Could not delete the comment.');
  }

  const visibleCount = comments.filter((c) => c.status === 'approved').length;

  return (
    <section className="comments" aria-labelledby="comments-heading">
      <h2 id="comments-heading">
        Comments <span className="muted">({visibleCount})</span>
      </h2>
      {comments.length === 0 ? <p className="muted">No comments yet. Start the conversation.</p> : null}
      <ol className="comment-list" aria-live="polite">
        {comments.map((comment) => (
          <li
            key={comment.id}
            className={`comment comment-${comment.status}`}
            data-testid="comment"
            data-status={comment.status}
          >
            <div className="comment-meta">
              <Avatar username={comment.author.username} size="sm" />
              <Link href={`/users/${comment.author.username}`} className="author-link">
                {comment.author.username}
              </Link>
              <time dateTime={comment.createdAt}>{formatDate(comment.createdAt)}</time>
              <StatusBadge comment={comment} />
              {user && (user.id === comment.author.id || user.id === postAuthorId || user.role === 'moderator') ? (
                <button type="button" className="link-button comment-delete" onClick={() => remove(comment.id)}>
                  Delete<span className="visually-hidden"> comment by {comment.author.username}</span>
                </button>
              ) : null}
            </div>
            <Markdown source={comment.body} compact />
            {comment.status === 'rejected' ? (
              <p className="comment-reason" data-testid="comment-reason">
                Not published{comment.reason ? `: ${comment.reason}` : ''}. Only you can see this comment.
              </p>
            ) : null}
            {comment.status === 'pending' && user?.id === comment.author.id ? (
              <p className="comment-reason comment-reason-pending">
                Awaiting moderation; only you can see it until it is approved.
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      {user ? (
        <CommentForm postId={postId} onAdded={added} />
      ) : (
        <p className="card signin-prompt">
          <Link href={`/signin?next=${encodeURIComponent(`/posts/${postId}`)}`}>Sign in</Link> or{' '}
          <Link href="/signup">create an account</Link> to comment.
        </p>
      )}
    </section>
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

function CommentForm({ postId, onAdded }: { postId: string; onAdded: (comment: Comment) => void }) {
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const [busy, setBusy] = useState(false);

  async function submit(event?: React.FormEvent) {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await api<Comment>('POST', '/api/comments', { postId, body });
    setBusy(false);
    if (!result.ok) {
      setErrors(fieldErrors(result.errors, ['body']));
      return;
    }
    setErrors({ byField: {}, general: [] });
    setBody('');
    onAdded(result.data);
  }

  return (
    <form className="card form comment-form" onSubmit={submit} noValidate>
      <FormErrors messages={errors.general} />
      <FormField
        label="Add a comment"
        name="body"
        multiline
        rows={4}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
        }}
        error={errors.byField.body}
        hint="Markdown works. Comments are published once moderation approves them. Ctrl+Enter sends."
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy || body.trim() === ''}>
          {busy ? 'Sending…' : 'Post comment'}
        </button>
      </div>
    </form>
  );
}

function toView(comment: Comment): CommentView {
  return {
    id: comment.id,
    postId: comment.postId,
    author: { id: comment.authorId, username: comment.authorUsername },
    body: comment.body,
    status: comment.status,
    reason: comment.reason,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
  };
}
