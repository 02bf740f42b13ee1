'use client';

import Link from 'next/link';
import { api } from '@/lib/browser-api';
import type { Comment } from '@/lib/types';
import { CommentBodyForm } from './CommentBodyForm';

/** A signed-in reader's new comment; a signed-out one is asked to sign in. */
export function NewComment({
  postId,
  signedIn,
  onAdded,
}: {
  postId: string;
  signedIn: boolean;
  onAdded: (comment: Comment) => void;
}) {
  if (!signedIn) {
    return (
      <p className="card signin-prompt">
        <Link href={`/signin?next=${encodeURIComponent(`/posts/${postId}`)}`}>Sign in</Link> or{' '}
        <Link href="/signup">create an account</Link> to comment.
      </p>
    );
  }
  return (
    <CommentBodyForm
      label="Add a comment"
      hint="Markdown works. Comments are published once moderation approves them. Ctrl+Enter sends."
      submitLabel="Post comment"
      send={(body) => api<Comment>('POST', '/api/comments', { postId, body })}
      onSent={onAdded}
    />
  );
}
