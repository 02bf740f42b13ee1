import Link from 'next/link';

export function TagLink({ tag, active = false, count }: { tag: string; active?: boolean; count?: number }) {
  return (
    <Link
      href={`/?tag=${encodeURIComponent(tag)}`}
      className={active ? 'tag tag-active' : 'tag'}
      aria-current={active ? 'page' : undefined}
    >
      #{tag}
      {count !== undefined ? <span className="tag-count">{count}</span> : null}
    </Link>
  );
}
