'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { canChangePost } from '@postline/common/rules';
import { api, waitFor } from '@/lib/browser-api';
import { useCurrentUser } from '@/lib/current-user';
import { unpublish } from '@/lib/publishing';

/**
 * Edit, unpublish (back to a draft) and delete, shown to the post's author and to moderators (the
 * rules the posts service enforces), once the browser knows who reads.
 */
export function PostActions({ postId, slug, authorId }: { postId: string; slug: string; authorId: string }) {
  const router = useRouter();
  const user = useCurrentUser();
  const [busy, setBusy] = useState(false);
  if (!user || !canChangePost(user, { authorId })) return null;
  const isAuthor = user.id === authorId;

  async function remove() {
    if (!window.confirm('Delete this post and its comments? This cannot be undone.')) return;
    setBusy(true);
    const result = await api('DELETE', `/api/posts/${postId}`);
    if (!result.ok) {
      window.alert(result.errors[0]?.message ?? 'Could not delete the post.');
      setBusy(false);
      return;
    }
    await waitFor(async () => ((await api('GET', `/api/query/posts/${postId}`)).status === 404 ? true : undefined));
    router.push('/');
    router.refresh();
  }

  async function takeDown() {
    if (!window.confirm('Unpublish this post? It becomes a draft that only its author sees.')) return;
    setBusy(true);
    const result = await unpublish(postId);
    if (!result.ok) {
      window.alert(result.errors[0]?.message ?? 'Could not unpublish the post.');
      setBusy(false);
      return;
    }
    await waitFor(async () => ((await api('GET', `/api/query/posts/${postId}`)).status === 404 ? true : undefined));
    // The author goes on to the draft; a moderator cannot see drafts.
    router.push(isAuthor ? `/drafts/${postId}` : '/');
    router.refresh();
  }

  return (
    <div className="post-actions">
      <Link href={`/posts/${slug}/edit`} className="button button-secondary">
        Edit
      </Link>
      <button type="button" className="button button-secondary" onClick={takeDown} disabled={busy}>
        Unpublish
      </button>
      <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
        {busy ? 'Deleting…' : 'Delete'}
      </button>
    </div>
  );
}
