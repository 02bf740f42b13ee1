import Link from 'next/link';
import { sitePaths } from '@/lib/site-paths';

export function TagLink({ tag, active = false, count }: { tag: string; active?: boolean; count?: number }) {
  return (
    <Link
      href={sitePaths.tag(tag)}
      className={active ? 'tag tag-active' : 'tag'}
      aria-current={active ? 'page' : undefined}
    >
      #{tag}
      {count !== undefined ? <span className="tag-count">{count}</span> : null}
    </Link>
  );
}

/** A post's tags as links to their archives. */
export function TagList({ tags }: { tags: string[] }) {
  return (
    <ul className="tag-list" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          <TagLink tag={tag} />
        </li>
      ))}
    </ul>
  );
}
