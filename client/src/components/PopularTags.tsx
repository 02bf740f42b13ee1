import { incomplete } from './ErrorState';
import { TagLink } from './TagLink';
import type { TagCount } from '@/lib/types';

/** The sidebar's tag cloud; `null` when the tags could not be read. */
export function PopularTags({ tags, active }: { tags: TagCount[] | null; active?: string }) {
  return (
    <aside className="sidebar" aria-labelledby="tags-heading">
      <div className="card">
        <h2 id="tags-heading" className="sidebar-title">
          Popular tags
        </h2>
        {tags === null ? (
          <p className="muted" {...incomplete}>
            Tags are unavailable right now.
          </p>
        ) : tags.length === 0 ? (
          <p className="muted">No tags yet.</p>
        ) : (
          <ul className="tag-cloud">
            {tags.slice(0, 30).map((t) => (
              <li key={t.tag}>
                <TagLink tag={t.tag} count={t.count} active={t.tag === active} />
              </li>
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}
