'use client';

import Link from 'next/link';
import { useRef, useState } from 'react';
import { api, fieldErrors } from '@/lib/browser-api';
import { formatDate } from '@/lib/format';
import type { Comment, CommentView, CurrentUser } from '@/lib/types';
import { Avatar } from './Avatar';
import { FormErrors, FormField } from './FormField';
import { useLive } from './LivePost';
import { Markdown } from './Markdown';

/**
 * The comments of a post, live (see LivePost). A new comment appears at once
 * (as the comments service answered it, pending); its author then sees it
 * turn approved or rejected (with the reason) the moment the query service
 * applies the decision, and every reader sees approved comments arrive, edits
 * and deletions, without a reload. Each comment keeps the newest change by
 * `rev`, whatever order repeats and resumed streams arrive in.
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
  const revs = useRef(new Map<string, number>());

  const known = new Set(serverComments.map((c) => c.id));
  const comments = [...serverComments, ...justWritten.filter((c) => !known.has(c.id))]
    .filter((c) => !deleted.has(c.id))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));

  /** Whether a change of this rev is newer than what is shown (equal: the same change, maybe with the reason). */
  function newest(id: string, rev: number): boolean {
    if (rev < (revs.current.get(id) ?? -1)) return false;
    revs.current.set(id, rev);
    return true;
  }

  useLive((message) => {
    if (message.type === 'snapshot') {
      setServerComments(message.post.comments);
      revs.current.clear();
    } else if (message.type === 'comment') {
      const { comment, rev } = message.data;
      if (comment.postId !== postId || !newest(comment.id, rev)) return;
      setServerComments((list) => {
        const shown = list.find((c) => c.id === comment.id);
        // The post's channel sends no reason; the author's own channel does, for the same change.
        const next =
          shown && shown.status === comment.status && !comment.reason ? { ...comment, reason: shown.reason } : comment;
        return shown ? list.map((c) => (c.id === comment.id ? next : c)) : [...list, next];
      });
    } else if (message.type === 'comment-removed') {
      const { id, rev } = message.data;
      if (message.data.postId !== postId || !newest(id, rev)) return;
      setServerComments((list) => list.filter((c) => c.id !== id));
      setJustWritten((list) => list.filter((c) => c.id !== id));
    }
  });

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
