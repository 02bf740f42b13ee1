import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { JsonLd } from '@/components/JsonLd';
import { Comments } from '@/components/comments/Comments';
import { LikeButton } from '@/components/LikeButton';
import { LivePost } from '@/components/LivePost';
import { PostActions } from '@/components/PostActions';
import { PostArticle } from '@/components/PostArticle';
import { formatDate, publishedOf } from '@/lib/format';
import { blogPostingOf, postMetadata } from '@/lib/page-metadata';
import { serverGetOrNull } from '@/lib/server-api';
import type { PostDetail } from '@/lib/types';

type Params = Promise<{ slug: string }>;

/**
 * One read per request, shared by the metadata and the page (React's cache), as a signed-out
 * reader: the page is cached and the same for everyone; the reader's own parts (their like, their
 * comments held for review, what they may change) come from the browser (LivePost re-reads the
 * post once its stream is open, the tools ask who reads).
 */
const loadPost = cache(async (slug: string): Promise<PostDetail | null> => {
  const answer = await serverGetOrNull<{ post: PostDetail }>('query', `/api/query/posts/${encodeURIComponent(slug)}`, {
    anonymous: true,
  });
  return answer?.post ?? null;
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const post = await loadPost((await params).slug).catch(() => null);
  return post ? postMetadata(post) : { title: 'Post' };
}

export default async function PostPage({ params }: { params: Params }) {
  const { slug } = await params;
  const post = await loadPost(slug);
  if (!post) notFound();

  return (
    <PostArticle
      post={post}
      before={<JsonLd data={blogPostingOf(post)} />}
      date={
        <>
          <time dateTime={publishedOf(post)}>{formatDate(publishedOf(post))}</time>
          {Date.parse(post.updatedAt) > Date.parse(publishedOf(post)) ? (
            <> · edited {formatDate(post.updatedAt)}</>
          ) : null}
        </>
      }
      actions={<PostActions postId={post.id} slug={post.slug} authorId={post.author.id} />}
    >
      <LivePost postId={post.id}>
        <div className="post-footer">
          <LikeButton postId={post.id} likeCount={post.likeCount} />
        </div>
        <Comments postId={post.id} postAuthorId={post.author.id} initial={post.comments} />
      </LivePost>
    </PostArticle>
  );
}
