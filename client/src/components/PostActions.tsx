'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, waitFor } from '@/lib/browser-api';

/** Edit and delete, shown to the post's author and to moderators. */
export function PostActions({ postId, slug }: { postId: string; slug: string }) {
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

  return (
    <div className="post-actions">
      <Link href={`/posts/${slug}/edit`} className="button button-secondary">
        Edit
      </Link>
      <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
        {busy ? 'Deleting…' : 'Delete'}
      </button>
    </div>
  );
}
