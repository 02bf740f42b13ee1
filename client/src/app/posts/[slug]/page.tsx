import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { Avatar } from '@/components/Avatar';
import { JsonLd } from '@/components/JsonLd';
import { Comments } from '@/components/Comments';
import { LikeButton } from '@/components/LikeButton';
import { LivePost } from '@/components/LivePost';
import { Markdown } from '@/components/Markdown';
import { PostActions } from '@/components/PostActions';
import { TagLink } from '@/components/TagLink';
import { formatDate, publishedOf, readingTime } from '@/lib/format';
import { blogPostingOf, postMetadata } from '@/lib/page-metadata';
import { currentUser, serverGetOrNull } from '@/lib/server-api';
import type { PostDetail } from '@/lib/types';

type Params = Promise<{ slug: string }>;

/** One read per request, shared by the metadata and the page (React's cache). */
const loadPost = cache(async (slug: string): Promise<PostDetail | null> => {
  const answer = await serverGetOrNull<{ post: PostDetail }>('query', `/api/query/posts/${encodeURIComponent(slug)}`);
  return answer?.post ?? null;
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const post = await loadPost((await params).slug).catch(() => null);
  return post ? postMetadata(post) : { title: 'Post' };
}

export default async function PostPage({ params }: { params: Params }) {
  const { slug } = await params;
  const [post, user] = await Promise.all([loadPost(slug), currentUser()]);
  if (!post) notFound();
  const canChange = user && (user.id === post.author.id || user.role === 'moderator');

  return (
    <article className="post">
      <JsonLd data={blogPostingOf(post)} />
      <header className="post-header">
        <ul className="tag-list" aria-label="Tags">
          {post.tags.map((tag) => (
            <li key={tag}>
              <TagLink tag={tag} />
            </li>
          ))}
        </ul>
        <h1 className="post-title">{post.title}</h1>
        <div className="post-byline">
          <Avatar username={post.author.username} image={post.author.image} />
          <div>
            <Link href={`/users/${post.author.username}`} className="author-link">
              {post.author.username}
            </Link>
            <div className="muted">
              <time dateTime={publishedOf(post)}>{formatDate(publishedOf(post))}</time>
              {Date.parse(post.updatedAt) > Date.parse(publishedOf(post)) ? (
                <> · edited {formatDate(post.updatedAt)}</>
              ) : null}
              {' · '}
              <span data-testid="reading-time">{readingTime(post.readingMinutes)}</span>
            </div>
          </div>
          {canChange ? <PostActions postId={post.id} slug={post.slug} isAuthor={user.id === post.author.id} /> : null}
        </div>
      </header>
      <div className="card post-body">
        <Markdown source={post.body} />
      </div>
      <LivePost postId={post.id}>
        <div className="post-footer">
          <LikeButton postId={post.id} liked={post.likedByMe} likeCount={post.likeCount} signedIn={!!user} />
        </div>
        <Comments postId={post.id} postAuthorId={post.author.id} initial={post.comments} user={user} />
      </LivePost>
    </article>
  );
}
