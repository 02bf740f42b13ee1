'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/lib/browser-api';
import { reloadCurrentUser } from '@/lib/current-user';

export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    await api('POST', '/api/users/signout');
    await reloadCurrentUser();
    router.push('/');
    router.refresh();
    setBusy(false);
  }
  return (
    <button type="button" className="nav-link nav-button" onClick={signOut} disabled={busy}>
      Sign out
    </button>
  );
}
