import type { EventListener, ReplicaCatchUp } from '@postline/common';
import type { PostLifecycle } from '../../domain/post-lifecycle';

/**
 * post.created → the post becomes commentable (unless a draft); post.updated → it is
 * published or back to a draft; post.deleted → it and its comments go.
 * Either way, comments waiting for that post in this process look again at once.
 */
export function registerPostListeners(
  listener: EventListener,
  lifecycle: PostLifecycle,
  postsCatchUp: ReplicaCatchUp,
): void {
  listener.on('post.created', async (event) => {
    await lifecycle.postCreated(event);
    postsCatchUp.arrived(event.data.id);
  });
  listener.on('post.updated', async (event) => {
    await lifecycle.postUpdated(event);
    postsCatchUp.arrived(event.data.id);
  });
  listener.on('post.deleted', async (event) => {
    await lifecycle.postDeleted(event);
    postsCatchUp.arrived(event.data.id);
  });
}
