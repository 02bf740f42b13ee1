import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { ErrorState } from '@/components/ErrorState';
import { ModerationQueue } from '@/components/ModerationQueue';
import { RecentDecisions } from '@/components/RecentDecisions';
import { currentUser, serverGet } from '@/lib/server-api';
import type { DecisionItem, ModerationPage, QueueItem } from '@/lib/types';

export const metadata: Metadata = { title: 'Moderation' };

const pageSize = 20;

/** The lists of decisions that stand, each with what it shows and why a moderator would look. */
const decisionLists = [
  {
    id: 'rejections',
    filter: 'decidedBy=rules&status=rejected',
    limit: pageSize,
    title: 'Recent automatic rejections',
    about:
      'Comments the rules rejected, newest first, with the rule that matched. Overturn a mistake: the comment is approved and its author sees your reason.',
    empty: 'No automatic rejections.',
  },
  {
    id: 'decisions',
    filter: 'decidedBy=moderator',
    limit: pageSize,
    title: 'Recent moderator decisions',
    about: 'Decisions taken by moderators, newest first. Any of them can be overturned.',
    empty: 'No moderator decisions yet.',
  },
  {
    id: 'approvals',
    filter: 'decidedBy=rules&status=approved',
    limit: pageSize / 2,
    title: 'Recent automatic approvals',
    about: 'Comments the rules found nothing wrong with, newest first. Overturn one to reject it with a reason.',
    empty: 'No automatic approvals.',
  },
] as const;

const unavailable = <ErrorState title="This list is unavailable" message="Please try again in a moment." />;

function ModerationSection({
  id,
  title,
  about,
  level,
  children,
}: {
  id: string;
  title: string;
  about: string;
  level: 1 | 2;
  children: ReactNode;
}) {
  const Heading = level === 1 ? 'h1' : 'h2';
  return (
    <section aria-labelledby={`${id}-heading`}>
      <div className="page-heading">
        <Heading id={`${id}-heading`} className={level === 2 ? 'section-title' : undefined}>
          {title}
        </Heading>
        <p className="muted">{about}</p>
      </div>
      {children}
    </section>
  );
}

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
  const [queue, ...decisions] = await Promise.all([
    serverGet<ModerationPage<QueueItem>>('moderation', `/api/moderation/queue?limit=${pageSize}`).catch(() => null),
    ...decisionLists.map((list) =>
      serverGet<ModerationPage<DecisionItem>>(
        'moderation',
        `/api/moderation/decisions?${list.filter}&limit=${list.limit}`,
      ).catch(() => null),
    ),
  ]);
  return (
    <>
      <ModerationSection
        id="moderation"
        level={1}
        title="Moderation queue"
        about="Comments the automatic rules could not decide. Approve them, or reject them with a reason the author will see."
      >
        {queue ? <ModerationQueue initial={queue} /> : unavailable}
      </ModerationSection>
      {decisionLists.map((list, i) => {
        const initial = decisions[i];
        return (
          <ModerationSection key={list.id} id={list.id} level={2} title={list.title} about={list.about}>
            {initial ? (
              <RecentDecisions initial={initial} filter={list.filter} label={list.title} empty={list.empty} />
            ) : (
              unavailable
            )}
          </ModerationSection>
        );
      })}
    </>
  );
}
