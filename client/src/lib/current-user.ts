'use client';

import { useSyncExternalStore } from 'react';
import { api } from './browser-api';
import type { CurrentUser } from './types';

/** Who is reading: `undefined` while the browser is still asking, `null` signed out. */
type Reader = CurrentUser | null | undefined;

let reader: Reader;
let asked = false;
const listeners = new Set<() => void>();

/** Asks who is reading (`GET /api/users/currentuser`, the session cookie going along), and tells every part that shows it. */
export async function reloadCurrentUser(): Promise<void> {
  asked = true;
  const result = await api<{ currentUser: CurrentUser | null }>('GET', '/api/users/currentuser');
  // Auth unreachable: signed out, as the pages rendered it before.
  reader = result.ok ? result.data.currentUser : null;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!asked) void reloadCurrentUser();
  return () => listeners.delete(listener);
}

/**
 * The reader, as the browser's own request finds it, once per page load and again after signing
 * in or out (`reloadCurrentUser`). Pages are the same for every reader (and cached, see
 * client/README.md), so what depends on who reads — the header's links, what a post page offers —
 * comes from here, after load. An external store rather than a context: a context change would
 * reach a part of the page that is still streaming in and make React render it again in the
 * browser beside the server's copy; a store only updates the parts that have hydrated.
 */
export function useCurrentUser(): Reader {
  return useSyncExternalStore(
    subscribe,
    () => reader,
    () => undefined,
  );
}
