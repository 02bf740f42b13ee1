'use client';

import { api } from '@/lib/browser-api';
import type { Comment, CommentView } from '@/lib/types';
import { CommentBodyForm } from './CommentBodyForm';

/**
 * The comment's author rewrites it (`PUT /api/comments/:id`): the answer is the comment pending
 * again, since new text goes back through moderation, and only its author sees it until approved.
 */
export function EditComment({
  comment,
  onSaved,
  onCancel,
}: {
  comment: CommentView;
  onSaved: (comment: Comment) => void;
  onCancel: () => void;
}) {
  return (
    <CommentBodyForm
      label="Edit your comment"
      hint="The new text is moderated again: readers see it once it is approved. Ctrl+Enter saves."
      initialBody={comment.body}
      submitLabel="Save comment"
      send={(body) => api<Comment>('PUT', `/api/comments/${encodeURIComponent(comment.id)}`, { body })}
      onSent={onSaved}
      onCancel={onCancel}
    />
  );
}

/** The button that opens the editor, for the comment's author only. */
export function EditCommentButton({ comment, onClick }: { comment: CommentView; onClick: () => void }) {
  return (
    <button type="button" className="link-button" onClick={onClick}>
      Edit<span className="visually-hidden"> comment by {comment.author.username}</span>
    </button>
  );
}
