import type { ServiceContext } from '@postline/common';
import type { Posts } from '../../domain/posts';

type Logger = ServiceContext['logger'];

export interface DueCheck {
  stop(): void;
}

/**
 * Publishes scheduled drafts without anyone present: every replica checks
 * every `intervalMs` for drafts whose `publishAt` has passed. Which replica
 * publishes a post does not matter and only one can (Posts.publishDue: a
 * version-guarded write that re-checks the post). A check never overlaps the
 * previous one on the same replica, and a failed check (database away) is
 * logged and tried again at the next tick.
 */
export function startDueCheck(posts: Posts, intervalMs: number, logger: Logger): DueCheck {
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    posts
      .publishDue()
      .then((ids) => {
        if (ids.length > 0) logger.info({ postIds: ids }, 'published scheduled posts');
      })
      .catch((err: unknown) => logger.warn({ err }, 'due-time check failed; retrying at the next tick'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
