'use client';

import type { ReactNode } from 'react';
import { useCurrentUser } from '@/lib/current-user';

/** Shown once the browser knows the reader is signed in (pages are the same for every reader). */
export function SignedInOnly({ children }: { children: ReactNode }) {
  return useCurrentUser() ? <>{children}</> : null;
}

/** Shown once the browser knows the reader is signed out. */
export function SignedOutOnly({ children }: { children: ReactNode }) {
  return useCurrentUser() === null ? <>{children}</> : null;
}
