import type { Metadata } from 'next';
import { VerifyEmail } from '@/components/EmailLinkForms';

export const metadata: Metadata = { title: 'Confirm your address' };

export default function VerifyEmailPage() {
  return (
    <div className="narrow">
      <VerifyEmail />
    </div>
  );
}
