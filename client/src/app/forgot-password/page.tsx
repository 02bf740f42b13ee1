import type { Metadata } from 'next';
import { ForgotPassword } from '@/components/EmailLinkForms';

export const metadata: Metadata = { title: 'Forgot your password?' };

export default function ForgotPasswordPage() {
  return (
    <div className="narrow">
      <ForgotPassword />
    </div>
  );
}
