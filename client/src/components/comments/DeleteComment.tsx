'use client';

import { api } from '@/lib/browser-api';
import type { CommentView } from '@/lib/types';

/** Deleting a comment: its author's, the post's author's and moderators' (after a confirmation). */
export function DeleteCommentButton({ comment, onDeleted }: { comment: CommentView; onDeleted: () => void }) {
  async function remove() {
    if (!window.confirm('Delete this comment?')) return;
    const result = await api('DELETE', `/api/comments/${encodeURIComponent(comment.id)}`);
    if (result.ok || result.status === 404) onDeleted();
    else window.alert(result.errors[0]?.message ?? 'Could not delete the comment.');
  }
  return (
    <button type="button" className="link-button comment-delete" onClick={remove}>
      Delete<span className="visually-hidden"> comment by {comment.author.username}</span>
    </button>
  );
}
