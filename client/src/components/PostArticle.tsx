import Link from 'next/link';
import type { ReactNode } from 'react';
import { readingTime } from '@/lib/format';
import { sitePaths } from '@/lib/site-paths';
import type { PostSummary } from '@/lib/types';
import { Avatar } from './Avatar';
import { Markdown } from './Markdown';
import { TagList } from './TagLink';

/**
 * A post laid out as its page: tags, title, the author's byline with the date and reading time, and
 * the Markdown body. The post page and the author's draft preview both use it, so a preview looks
 * exactly as the post will.
 */
export function PostArticle({
  post,
  date,
  actions,
  before,
  children,
  testId,
}: {
  post: Pick<PostSummary, 'title' | 'tags' | 'author' | 'readingMinutes'> & { body: string };
  /** The byline's date line (when it was published, or last edited for a draft). */
  date: ReactNode;
  /** What the reader may do with the post, beside the byline. */
  actions?: ReactNode;
  /** Above the header (a draft's banner, the page's JSON-LD). */
  before?: ReactNode;
  /** Below the body (likes and comments). */
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <article className="post" data-testid={testId}>
      {before}
      <header className="post-header">
        <TagList tags={post.tags} />
        <h1 className="post-title">{post.title}</h1>
        <div className="post-byline">
          <Avatar username={post.author.username} image={post.author.image} />
          <div>
            <Link href={sitePaths.author(post.author.username)} className="author-link">
              {post.author.username}
            </Link>
            <div className="muted">
              {date}
              {' · '}
              <span data-testid="reading-time">{readingTime(post.readingMinutes)}</span>
            </div>
          </div>
          {actions}
        </div>
      </header>
      <div className="card post-body">
        <Markdown source={post.body} />
      </div>
      {children}
    </article>
  );
}
