'use client';

import { useState } from 'react';
import { api } from '@/lib/browser-api';
import type { ModerationPage, QueueItem } from '@/lib/types';
import { Markdown } from './Markdown';
import { EntryMeta, ModerationList, ReasonField } from './ModerationList';

/** Comments awaiting a moderator, oldest first, a page at a time: approve, or reject with a reason the author will see. */
export function ModerationQueue({ initial }: { initial: ModerationPage<QueueItem> }) {
  return (
    <ModerationList
      initial={initial}
      source="/api/moderation/queue"
      // A comment edited since it was queued is queued again: its text version tells the two apart.
      keyOf={(item) => `${item.commentId}:${item.commentVersion}`}
      empty="Nothing to review. The queue is clear."
    >
      {(item, remove) => <QueueEntry item={item} onDecided={remove} />}
    </ModerationList>
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
      <EntryMeta authorUsername={item.authorUsername} at={item.createdAt} postId={item.postId}>
        {item.flags.map((flag) => (
          <span key={flag} className="badge badge-pending">
            {flag}
          </span>
        ))}
      </EntryMeta>
      <Markdown source={item.body} compact />
      <ReasonField
        id={reasonId}
        label="Reason (shown to the author if rejected)"
        value={reason}
        onChange={setReason}
        error={error}
      />
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
