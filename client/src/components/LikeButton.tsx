'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/lib/browser-api';
import type { LikeState } from '@/lib/types';

/** Like/unlike; the posts service answers with the new count, so the button never waits for the read model. */
export function LikeButton({
  postId,
  liked,
  likeCount,
  signedIn,
}: {
  postId: string;
  liked: boolean;
  likeCount: number;
  signedIn: boolean;
}) {
  const router = useRouter();
  const [state, setState] = useState({ liked, likeCount });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function toggle() {
    if (!signedIn) {
      router.push(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await api<LikeState>(state.liked ? 'DELETE' : 'POST', `/api/posts/${postId}/like`);
    if (result.ok) setState({ liked: result.data.liked, likeCount: result.data.likeCount });
    else setError(result.errors[0]?.message);
    setBusy(false);
  }

  return (
    <span className="like">
      <button
        type="button"
        className={state.liked ? 'button button-like button-like-on' : 'button button-like'}
        aria-pressed={state.liked}
        onClick={toggle}
        disabled={busy}
        data-testid="like-button"
      >
        <span aria-hidden="true">{state.liked ? '♥' : '♡'}</span> {state.liked ? 'Liked' : 'Like'}
        <span className="like-count" data-testid="like-count">
          {state.likeCount}
        </span>
      </button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
