import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { ErrorState } from '@/components/ErrorState';
import { PostEditor } from '@/components/PostEditor';
import { currentUser, serverGetOrNull } from '@/lib/server-api';
import type { PostDetail } from '@/lib/types';

export const metadata: Metadata = { title: 'Edit post' };

export default async function EditPostPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/posts/${slug}/edit`)}`);
  const answer = await serverGetOrNull<{ post: PostDetail }>('query', `/api/query/posts/${encodeURIComponent(slug)}`);
  if (!answer) notFound();
  const { post } = answer;
  if (post.author.id !== user.id && user.role !== 'moderator') {
    return <ErrorState title="Not yours to edit" message="Only the author of a post, or a moderator, can edit it." />;
  }
  return <PostEditor post={{ id: post.id, title: post.title, body: post.body, tags: post.tags }} />;
}
