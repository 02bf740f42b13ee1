import { eventually } from '@postline/common/testing';
import { postCreated, type CommentsUnderTest } from './start-comments';

/** Publishes a post.created and waits until comments has it in its replica. */
export async function knownPost(app: CommentsUnderTest, authorId?: string): Promise<{ id: string; authorId: string }> {
  const event = postCreated({ authorId });
  await app.bus.publish(event);
  await eventually(
    async () => (await app.posts.exists({ _id: event.data.id })) !== null,
    10_000,
    `post ${event.data.id} in the replica`,
  );
  return { id: event.data.id, authorId: event.data.authorId };
}
