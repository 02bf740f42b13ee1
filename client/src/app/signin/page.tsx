import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { firstValue } from '@/lib/format';
import { currentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = firstValue((await searchParams).next);
  if (await currentUser()) redirect('/');
  return (
    <div className="narrow">
      <AuthForm mode="signin" next={next} />
    </div>
  );
}
