import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { ErrorState } from '@/components/ErrorState';
import { PostEditor } from '@/components/PostEditor';
import { currentUser, serverGetOrNull } from '@/lib/server-api';
import type { DraftDetail, PostDetail } from '@/lib/types';

export const metadata: Metadata = { title: 'Edit post' };

export default async function EditPostPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/posts/${slug}/edit`)}`);
  const path = encodeURIComponent(slug);
  // A published post, else the author's own draft (which only its author can read).
  const answer =
    (await serverGetOrNull<{ post: PostDetail }>('query', `/api/query/posts/${path}`)) ??
    (await serverGetOrNull<{ post: DraftDetail }>('query', `/api/query/drafts/${path}`));
  if (!answer) notFound();
  const { post } = answer;
  const status = (post as Partial<DraftDetail>).status ?? 'published';
  if (post.author.id !== user.id && user.role !== 'moderator') {
    return <ErrorState title="Not yours to edit" message="Only the author of a post, or a moderator, can edit it." />;
  }
  return <PostEditor post={{ id: post.id, title: post.title, body: post.body, tags: post.tags, status }} />;
}
