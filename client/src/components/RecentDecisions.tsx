'use client';

import Link from 'next/link';
import { useState } from 'react';
import { api } from '@/lib/browser-api';
import { formatDate } from '@/lib/format';
import type { DecisionItem, ModerationPage, ModeratorDecision } from '@/lib/types';
import { Markdown } from './Markdown';

/**
 * Decisions that stand, newest first (`GET /api/moderation/decisions?...`), each of which a
 * moderator can overturn with a reason the author will see; a page at a time.
 */
export function RecentDecisions({
  initial,
  filter,
  label,
  empty,
}: {
  initial: ModerationPage<DecisionItem>;
  /** The list's query string, e.g. `decidedBy=rules&status=rejected`. */
  filter: string;
  label: string;
  empty: string;
}) {
  const [items, setItems] = useState(initial.items);
  const [page, setPage] = useState(initial.page);
  const [total, setTotal] = useState(initial.total);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function loadMore() {
    setBusy(true);
    const result = await api<ModerationPage<DecisionItem>>(
      'GET',
      `/api/moderation/decisions?${filter}&page=${page + 1}&limit=${initial.limit}`,
    );
    setBusy(false);
    if (!result.ok) return setError(result.errors.map((e) => e.message).join(' '));
    const shown = new Set(items.map((i) => i.commentId));
    setItems((list) => [...list, ...result.data.items.filter((i) => !shown.has(i.commentId))]);
    setPage(result.data.page);
    setTotal(result.data.total);
  }

  if (items.length === 0) return <div className="empty-state">{empty}</div>;
  return (
    <>
      <ol className="queue" aria-label={label}>
        {items.map((item) => (
          <DecisionEntry key={item.commentId} initial={item} />
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

const opposite = (status: DecisionItem['status']) => (status === 'approved' ? 'rejected' : 'approved');

function DecisionEntry({ initial }: { initial: DecisionItem }) {
  const [item, setItem] = useState(initial);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const reasonId = `overturn-reason-${item.commentId}`;
  const next = opposite(item.status);

  async function overturn() {
    if (reason.trim() === '') {
      setError('Give the author a reason for overturning the decision.');
      document.getElementById(reasonId)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const result = await api<ModeratorDecision>('POST', `/api/moderation/comments/${item.commentId}/decision`, {
      status: next,
      reason: reason.trim(),
      // the text and decision shown here: if the author edited it since, the overturn is refused (409)
      commentVersion: item.commentVersion,
    });
    setBusy(false);
    if (!result.ok) return setError(result.errors.map((e) => e.message).join(' '));
    const { status, reason: decidedReason } = result.data;
    setItem({ ...item, status, reason: decidedReason, decidedBy: 'moderator', decidedAt: new Date().toISOString() });
    setReason('');
    setDone(`Overturned: now ${status}. The author sees the new decision.`);
  }

  return (
    <li className="card queue-item" data-testid="decision-item">
      <div className="comment-meta">
        <strong>{item.authorUsername}</strong>
        <time dateTime={item.decidedAt}>{formatDate(item.decidedAt)}</time>
        <Link href={`/posts/${item.postId}`}>View post</Link>
        <span className={`badge ${item.status === 'rejected' ? 'badge-rejected' : ''}`}>
          {item.status} by {item.decidedBy === 'rules' ? 'the rules' : 'a moderator'}
        </span>
      </div>
      {item.body ? <Markdown source={item.body} compact /> : <p className="muted">(text not kept for this decision)</p>}
      <p className="muted" data-testid="decision-reason">
        Reason: {item.reason || 'no rule matched'}
      </p>
      {done ? (
        <p role="status" className="muted">
          {done}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={reasonId}>Reason for overturning (shown to the author)</label>
        <input
          id={reasonId}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={error ? true : undefined}
        />
        {error ? <p className="field-error">{error}</p> : null}
      </div>
      <div className="form-actions">
        <button
          type="button"
          className={`button ${next === 'approved' ? 'button-primary' : 'button-danger'}`}
          onClick={overturn}
          disabled={busy}
        >
          Overturn: {next === 'approved' ? 'approve' : 'reject'}
        </button>
      </div>
    </li>
  );
}
