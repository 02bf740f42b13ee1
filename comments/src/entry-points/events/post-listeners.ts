import type { EventListener } from '@postline/common';
import type { PostLifecycle } from '../../domain/post-lifecycle';

/** post.created → the post becomes commentable; post.deleted → it and its comments go. */
export function registerPostListeners(listener: EventListener, lifecycle: PostLifecycle): void {
  listener.on('post.created', async (event) => {
    await lifecycle.postCreated(event);
  });
  listener.on('post.deleted', async (event) => {
    await lifecycle.postDeleted(event);
  });
}
