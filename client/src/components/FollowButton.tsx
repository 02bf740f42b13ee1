'use client';

import { useServerToggle } from '@/lib/use-server-toggle';
import type { UserProfile } from '@/lib/types';

/** Follow/unfollow; auth (the owner of follows) answers with the new state and counts. */
export function FollowButton({
  username,
  followedByMe,
  followerCount,
  signedIn,
}: {
  username: string;
  followedByMe: boolean;
  followerCount: number;
  signedIn: boolean;
}) {
  const follow = useServerToggle<UserProfile>({
    on: followedByMe,
    count: followerCount,
    signedIn,
    path: `/api/users/${username}/follow`,
    read: (profile) => ({ on: profile.followedByMe, count: profile.followerCount }),
  });

  return (
    <div className="follow">
      <p className="profile-counts">
        <strong data-testid="follower-count">{follow.count}</strong> {follow.count === 1 ? 'follower' : 'followers'}
      </p>
      <button
        type="button"
        className={follow.on ? 'button button-secondary' : 'button button-primary'}
        aria-pressed={follow.on}
        onClick={follow.toggle}
        disabled={follow.busy}
      >
        {follow.on ? 'Following' : `Follow ${username}`}
      </button>
      {follow.error ? (
        <span className="inline-error" role="alert">
          {follow.error}
        </span>
      ) : null}
    </div>
  );
}
