'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, waitFor } from '@/lib/browser-api';
import { unpublish } from '@/lib/publishing';

/** Edit, unpublish (back to a draft) and delete, shown to the post's author and to moderators. */
export function PostActions({ postId, slug, isAuthor }: { postId: string; slug: string; isAuthor: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);

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
