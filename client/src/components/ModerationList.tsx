'use client';

import Link from 'next/link';
import { Fragment, useState, type ReactNode } from 'react';
import { api } from '@/lib/browser-api';
import { formatDate } from '@/lib/format';
import type { ModerationPage } from '@/lib/types';

/**
 * One list of the moderation page (the review queue, or decisions that stand), a page at a time
 * ("Show more"). Each entry renders itself and says when it leaves the list.
 */
export function ModerationList<T>({
  initial,
  source,
  keyOf,
  label,
  empty,
  children,
}: {
  initial: ModerationPage<T>;
  /** The list's address without paging, e.g. `/api/moderation/decisions?decidedBy=rules&status=rejected`. */
  source: string;
  /** What identifies an entry, so a page fetched after others left the list repeats none that is shown. */
  keyOf: (item: T) => string;
  label?: string;
  empty: string;
  children: (item: T, remove: () => void) => ReactNode;
}) {
  const [items, setItems] = useState(initial.items);
  const [page, setPage] = useState(initial.page);
  const [total, setTotal] = useState(initial.total);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function loadMore() {
    setBusy(true);
    const separator = source.includes('?') ? '&' : '?';
    const result = await api<ModerationPage<T>>('GET', `${source}${separator}page=${page + 1}&limit=${initial.limit}`);
    setBusy(false);
    if (!result.ok) return setError(result.errors.map((e) => e.message).join(' '));
    const shown = new Set(items.map(keyOf));
    setItems((list) => [...list, ...result.data.items.filter((i) => !shown.has(keyOf(i)))]);
    setPage(result.data.page);
    setTotal(result.data.total);
  }

  function remover(item: T) {
    return () => {
      setItems((list) => list.filter((i) => i !== item));
      setTotal((n) => n - 1);
    };
  }

  if (items.length === 0) return <div className="empty-state">{empty}</div>;
  return (
    <>
      <ol className="queue" aria-label={label}>
        {items.map((item) => (
          <Fragment key={keyOf(item)}>{children(item, remover(item))}</Fragment>
        ))}
      </ol>
      {page * initial.limit < total ? (
        <div className="pagination">
          <span className="pagination-status">
            {items.length} of {total} shown
          </span>
          <button type="button" className="button button-secondary" onClick={loadMore} disabled={busy}>
            Show more
          </button>
        </div>
      ) : null}
      {error ? <p className="field-error">{error}</p> : null}
    </>
  );
}

/** The reason a moderator gives, with the error of the last attempt. */
export function ReasonField({
  id,
  label,
  value,
  onChange,
  error,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} />
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}

/** Who wrote the comment, when, and the way to its post: the first line of every entry. */
export function EntryMeta({
  authorUsername,
  at,
  postId,
  children,
}: {
  authorUsername: string;
  at: string;
  postId: string;
  children?: ReactNode;
}) {
  return (
    <div className="comment-meta">
      <strong>{authorUsername}</strong>
      <time dateTime={at}>{formatDate(at)}</time>
      <Link href={`/posts/${postId}`}>View post</Link>
      {children}
    </div>
  );
}
