'use client';

import { useState } from 'react';
import { api } from '@/lib/browser-api';
import type { DecisionItem, ModerationPage, ModeratorDecision } from '@/lib/types';
import { Markdown } from './Markdown';
import { EntryMeta, ModerationList, ReasonField } from './ModerationList';

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
  return (
    <ModerationList
      initial={initial}
      source={`/api/moderation/decisions?${filter}`}
      keyOf={(item) => item.commentId}
      label={label}
      empty={empty}
    >
      {(item) => <DecisionEntry initial={item} />}
    </ModerationList>
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
      <EntryMeta authorUsername={item.authorUsername} at={item.decidedAt} postId={item.postId}>
        <span className={`badge ${item.status === 'rejected' ? 'badge-rejected' : ''}`}>
          {item.status} by {item.decidedBy === 'rules' ? 'the rules' : 'a moderator'}
        </span>
      </EntryMeta>
      {item.body ? <Markdown source={item.body} compact /> : <p className="muted">(text not kept for this decision)</p>}
      <p className="muted" data-testid="decision-reason">
        Reason: {item.reason || 'no rule matched'}
      </p>
      {done ? (
        <p role="status" className="muted">
          {done}
        </p>
      ) : null}
      <ReasonField
        id={reasonId}
        label="Reason for overturning (shown to the author)"
        value={reason}
        onChange={setReason}
        error={error}
      />
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
