import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { PostEditor } from '@/components/PostEditor';
import { currentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Write' };

export default async function WritePage() {
  if (!(await currentUser())) redirect('/signin?next=/write');
  return <PostEditor />;
}
