import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { CheckInbox } from '@/components/EmailLinkForms';
import { currentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Check your inbox' };

export default async function CheckInboxPage() {
  if (!(await currentUser())) redirect('/signin?next=/check-inbox');
  return (
    <div className="narrow">
      <CheckInbox />
    </div>
  );
}
