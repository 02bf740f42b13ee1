'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/lib/browser-api';
import type { AuthProfile } from '@/lib/types';

/** Follow/unfollow; auth (the owner of follows) answers with the new state and counts. */
export function FollowButton({
  username,
  following,
  followerCount,
  signedIn,
}: {
  username: string;
  following: boolean;
  followerCount: number;
  signedIn: boolean;
}) {
  const router = useRouter();
  const [state, setState] = useState({ following, followerCount });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function toggle() {
    if (!signedIn) {
      router.push(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await api<AuthProfile>(state.following ? 'DELETE' : 'POST', `/api/users/${username}/follow`);
    if (result.ok) setState({ following: result.data.following, followerCount: result.data.followerCount });
    else setError(result.errors[0]?.message);
    setBusy(false);
  }

  return (
    <div className="follow">
      <p className="profile-counts">
        <strong data-testid="follower-count">{state.followerCount}</strong>{' '}
        {state.followerCount === 1 ? 'follower' : 'followers'}
      </p>
      <button
        type="button"
        className={state.following ? 'button button-secondary' : 'button button-primary'}
        aria-pressed={state.following}
        onClick={toggle}
        disabled={busy}
      >
        {state.following ? 'Following' : `Follow ${username}`}
      </button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
