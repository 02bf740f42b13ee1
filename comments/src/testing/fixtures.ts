import { EventFactory, eventually, newId } from '@postline/common/testing';
import type { CommentsUnderTest } from './start-comments';

/** The events other services would send comments, built once for all its tests (versions run on per aggregate). */
export const factory = new EventFactory();

/** The author of a post, as post.created names it. */
export const postAuthor = (id = newId()) => ({ id, username: 'postauthor' });

/** Publishes a post.created and waits until comments has it in its replica. */
export async function knownPost(app: CommentsUnderTest, authorId?: string): Promise<{ id: string; authorId: string }> {
  const event = factory.postCreated(postAuthor(authorId));
  await app.bus.publish(event);
  await eventually(
    async () => (await app.posts.exists({ _id: event.data.id })) !== null,
    10_000,
    `post ${event.data.id} in the replica`,
  );
  return { id: event.data.id, authorId: event.data.authorId };
}
