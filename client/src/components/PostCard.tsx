import Link from 'next/link';
import { formatDate, plural, publishedOf, readingTime } from '@/lib/format';
import { sitePaths } from '@/lib/site-paths';
import type { PostSummary } from '@/lib/types';
import { Avatar } from './Avatar';
import { TagList } from './TagLink';

export function PostCard({ post }: { post: PostSummary }) {
  return (
    <article className="card post-card" data-testid="post-card">
      <header className="post-card-meta">
        <Avatar username={post.author.username} image={post.author.image} size="sm" />
        <Link href={sitePaths.author(post.author.username)} className="author-link">
          {post.author.username}
        </Link>
        <span aria-hidden="true">·</span>
        <time dateTime={publishedOf(post)}>{formatDate(publishedOf(post))}</time>
        <span aria-hidden="true">·</span>
        <span data-testid="reading-time">{readingTime(post.readingMinutes)}</span>
      </header>
      <h2 className="post-card-title">
        <Link href={sitePaths.post(post.slug)}>{post.title}</Link>
      </h2>
      {post.excerpt ? <p className="post-card-excerpt">{post.excerpt}</p> : null}
      <footer className="post-card-footer">
        <TagList tags={post.tags} />
        <span className="post-card-stats">
          <span title="Likes">
            <span aria-hidden="true">{post.likedByMe ? '♥' : '♡'}</span> {plural(post.likeCount, 'like')}
          </span>
          <span title="Comments">{plural(post.commentCount, 'comment')}</span>
        </span>
      </footer>
    </article>
  );
}
