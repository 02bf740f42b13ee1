import type { Metadata } from 'next';
import { ResetPassword } from '@/components/EmailLinkForms';

export const metadata: Metadata = { title: 'Choose a new password' };

export default function ResetPasswordPage() {
  return (
    <div className="narrow">
      <ResetPassword />
    </div>
  );
}
