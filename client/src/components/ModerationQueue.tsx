'use client';

import Link from 'next/link';
import { useState } from 'react';
import { api } from '@/lib/browser-api';
import { formatDate } from '@/lib/format';
import type { ModerationPage, QueueItem } from '@/lib/types';
import { Markdown } from './Markdown';

/** Comments awaiting a moderator, oldest first, a page at a time: approve, or reject with a reason the author will see. */
export function ModerationQueue({ initial }: { initial: ModerationPage<QueueItem> }) {
  const [items, setItems] = useState(initial.items);
  const [page, setPage] = useState(initial.page);
  const [total, setTotal] = useState(initial.total);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function loadMore() {
    setBusy(true);
    // Decided items have left the queue since: the next page starts after what is still shown.
    const result = await api<ModerationPage<QueueItem>>(
      'GET',
      `/api/moderation/queue?page=${page + 1}&limit=${initial.limit}`,
    );
    setBusy(false);
    if (!result.ok) return setError(result.errors.map((e) => e.message).join(' '));
    const shown = new Set(items.map((i) => `${i.commentId}:${i.commentVersion}`));
    setItems((list) => [...list, ...result.data.items.filter((i) => !shown.has(`${i.commentId}:${i.commentVersion}`))]);
    setPage(result.data.page);
    setTotal(result.data.total);
  }

  if (items.length === 0) return <div className="empty-state">Nothing to review. The queue is clear.</div>;
  return (
    <>
      <ol className="queue">
        {items.map((item) => (
          <QueueEntry
            key={`${item.commentId}:${item.commentVersion}`}
            item={item}
            onDecided={() => {
              setItems((list) => list.filter((i) => i !== item));
              setTotal((n) => n - 1);
            }}
          />
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

function QueueEntry({ item, onDecided }: { item: QueueItem; onDecided: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const reasonId = `reason-${item.commentId}`;

  async function decide(status: 'approved' | 'rejected') {
    if (status === 'rejected' && reason.trim() === '') {
      setError('Give the author a reason for rejecting.');
      document.getElementById(reasonId)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await api('POST', `/api/moderation/comments/${item.commentId}/decision`, {
      status,
      reason: reason.trim() || (status === 'approved' ? 'Approved by a moderator' : reason),
      // the text shown here: if the author edited it since, the decision is refused (409)
      commentVersion: item.commentVersion,
    });
    setBusy(false);
    if (result.ok) onDecided();
    else setError(result.errors.map((e) => e.message).join(' '));
  }

  return (
    <li className="card queue-item" data-testid="queue-item">
      <div className="comment-meta">
        <strong>{item.authorUsername}</strong>
        <time dateTime={item.createdAt}>{formatDate(item.createdAt)}</time>
        <Link href={`/posts/${item.postId}`}>View post</Link>
        {item.flags.map((flag) => (
          <span key={flag} className="badge badge-pending">
            {flag}
          </span>
        ))}
      </div>
      <Markdown source={item.body} compact />
      <div className="field">
        <label htmlFor={reasonId}>Reason (shown to the author if rejected)</label>
        <input
          id={reasonId}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={error ? true : undefined}
        />
        {error ? <p className="field-error">{error}</p> : null}
      </div>
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={() => decide('rejected')} disabled={busy}>
          Reject
        </button>
        <button type="button" className="button button-primary" onClick={() => decide('approved')} disabled={busy}>
          Approve
        </button>
      </div>
    </li>
  );
}
