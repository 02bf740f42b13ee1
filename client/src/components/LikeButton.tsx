'use client';

import { useRef } from 'react';
import { useCurrentUser } from '@/lib/current-user';
import { useServerToggle } from '@/lib/use-server-toggle';
import type { LikeState } from '@/lib/types';
import { useLive } from './LivePost';

/**
 * Like/unlike; the posts service answers with the new count, so the button never waits for the read
 * model. Other readers' likes arrive live (see LivePost), the newest version of the post kept. The
 * page is the same for every reader: whether this reader likes the post comes with the post as the
 * browser re-reads it (LivePost's snapshot).
 */
export function LikeButton({ postId, likeCount }: { postId: string; likeCount: number }) {
  const like = useServerToggle<LikeState>({
    on: false,
    count: likeCount,
    signedIn: !!useCurrentUser(),
    path: `/api/posts/${postId}/like`,
    read: (answer) => ({ on: answer.liked, count: answer.likeCount }),
  });
  const version = useRef(-1);
  useLive((message) => {
    if (message.type === 'snapshot') like.sync({ on: message.post.likedByMe, count: message.post.likeCount });
    else if (message.type === 'post' && message.data.post.version >= version.current) {
      version.current = message.data.post.version;
      like.setCount(message.data.post.likeCount);
    }
  });

  return (
    <span className="like">
      <button
        type="button"
        className={like.on ? 'button button-like button-like-on' : 'button button-like'}
        aria-pressed={like.on}
        onClick={like.toggle}
        disabled={like.busy}
        data-testid="like-button"
      >
        <span aria-hidden="true">{like.on ? '♥' : '♡'}</span> {like.on ? 'Liked' : 'Like'}
        <span className="like-count" data-testid="like-count">
          {like.count}
        </span>
      </button>
      {like.error ? (
        <span className="inline-error" role="alert">
          {like.error}
        </span>
      ) : null}
    </span>
  );
}
