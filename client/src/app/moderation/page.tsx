import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ErrorState } from '@/components/ErrorState';
import { ModerationQueue } from '@/components/ModerationQueue';
import { currentUser, serverGet } from '@/lib/server-api';
import type { QueueItem } from '@/lib/types';

export const metadata: Metadata = { title: 'Moderation' };

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
  const queue = await serverGet<{ items: QueueItem[] }>('moderation', '/api/moderation/queue').catch(() => null);
  return (
    <section aria-labelledby="moderation-heading">
      <div className="page-heading">
        <h1 id="moderation-heading">Moderation queue</h1>
        <p className="muted">
          Comments the automatic rules could not decide. Approve them, or reject them with a reason the author will see.
        </p>
      </div>
      {queue ? (
        <ModerationQueue initial={queue.items} />
      ) : (
        <ErrorState title="The queue is unavailable" message="Please try again in a moment." />
      )}
    </section>
  );
}
