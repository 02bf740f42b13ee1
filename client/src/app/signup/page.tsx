import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { currentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage() {
  if (await currentUser()) redirect('/');
  return (
    <div className="narrow">
      <AuthForm mode="signup" />
    </div>
  );
}
