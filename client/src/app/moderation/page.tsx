import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ErrorState } from '@/components/ErrorState';
import { ModerationQueue } from '@/components/ModerationQueue';
import { RecentDecisions } from '@/components/RecentDecisions';
import { currentUser, serverGet } from '@/lib/server-api';
import type { DecisionItem, ModerationPage, QueueItem } from '@/lib/types';

export const metadata: Metadata = { title: 'Moderation' };

const pageSize = 20;
const rulesRejections = 'decidedBy=rules&status=rejected';
const moderatorDecisions = 'decidedBy=moderator';
const rulesApprovals = 'decidedBy=rules&status=approved';

const unavailable = <ErrorState title="This list is unavailable" message="Please try again in a moment." />;

export default async function ModerationPage() {
  const user = await currentUser();
  if (!user) redirect('/signin?next=/moderation');
  if (user.role !== 'moderator') {
    return (
      <ErrorState
        title="Moderators only"
        message="This page is for moderators. Your account does not have that role."
      />
    );
  }
  const [queue, rejections, decisions, approvals] = await Promise.all([
    serverGet<ModerationPage<QueueItem>>('moderation', `/api/moderation/queue?limit=${pageSize}`).catch(() => null),
    serverGet<ModerationPage<DecisionItem>>(
      'moderation',
      `/api/moderation/decisions?${rulesRejections}&limit=${pageSize}`,
    ).catch(() => null),
    serverGet<ModerationPage<DecisionItem>>(
      'moderation',
      `/api/moderation/decisions?${moderatorDecisions}&limit=${pageSize}`,
    ).catch(() => null),
    serverGet<ModerationPage<DecisionItem>>(
      'moderation',
      `/api/moderation/decisions?${rulesApprovals}&limit=${pageSize / 2}`,
    ).catch(() => null),
  ]);
  return (
    <>
      <section aria-labelledby="moderation-heading">
        <div className="page-heading">
          <h1 id="moderation-heading">Moderation queue</h1>
          <p className="muted">
            Comments the automatic rules could not decide. Approve them, or reject them with a reason the author will
            see.
          </p>
        </div>
        {queue ? <ModerationQueue initial={queue} /> : unavailable}
      </section>
      <section aria-labelledby="rejections-heading">
        <div className="page-heading">
          <h2 id="rejections-heading" className="section-title">
            Recent automatic rejections
          </h2>
          <p className="muted">
            Comments the rules rejected, newest first, with the rule that matched. Overturn a mistake: the comment is
            approved and its author sees your reason.
          </p>
        </div>
        {rejections ? (
          <RecentDecisions
            initial={rejections}
            filter={rulesRejections}
            label="Recent automatic rejections"
            empty="No automatic rejections."
          />
        ) : (
          unavailable
        )}
      </section>
      <section aria-labelledby="decisions-heading">
        <div className="page-heading">
          <h2 id="decisions-heading" className="section-title">
            Recent moderator decisions
          </h2>
          <p className="muted">Decisions taken by moderators, newest first. Any of them can be overturned.</p>
        </div>
        {decisions ? (
          <RecentDecisions
            initial={decisions}
            filter={moderatorDecisions}
            label="Recent moderator decisions"
            empty="No moderator decisions yet."
          />
        ) : (
          unavailable
        )}
      </section>
      <section aria-labelledby="approvals-heading">
        <div className="page-heading">
          <h2 id="approvals-heading" className="section-title">
            Recent automatic approvals
          </h2>
          <p className="muted">
            Comments the rules found nothing wrong with, newest first. Overturn one to reject it with a reason.
          </p>
        </div>
        {approvals ? (
          <RecentDecisions
            initial={approvals}
            filter={rulesApprovals}
            label="Recent automatic approvals"
            empty="No automatic approvals."
          />
        ) : (
          unavailable
        )}
      </section>
    </>
  );
}
