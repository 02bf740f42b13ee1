'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/lib/browser-api';

/**
 * An on/off state with a count that the owning service keeps (a like, a
 * follow): POST turns it on, DELETE off, and the service's answer — not a
 * guess — becomes the new state, so the button never waits for the read
 * model. Signed-out users are sent to sign in first.
 */
export function useServerToggle<T>(options: {
  on: boolean;
  count: number;
  signedIn: boolean;
  path: string;
  read: (answer: T) => { on: boolean; count: number };
}) {
  const router = useRouter();
  const [state, setState] = useState({ on: options.on, count: options.count });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function toggle() {
    if (!options.signedIn) {
      router.push(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await api<T>(state.on ? 'DELETE' : 'POST', options.path);
    if (result.ok) setState(options.read(result.data));
    else setError(result.errors[0]?.message);
    setBusy(false);
  }

  /** A count that changed elsewhere (another reader's like, pushed live). */
  function setCount(count: number) {
    setState((current) => ({ ...current, count }));
  }

  /** The state as the owning service's read model has it for this reader (read after the page loaded). */
  function sync(next: { on: boolean; count: number }) {
    setState(next);
  }

  return { ...state, busy, error, toggle, setCount, sync };
}
