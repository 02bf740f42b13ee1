'use client';

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from './browser-api';
import type { CurrentUser } from './types';

/** Who is reading: `undefined` while the browser is still asking, `null` signed out. */
type Reader = CurrentUser | null | undefined;

const ReaderContext = createContext<{ user: Reader; reload(): Promise<void> }>({
  user: undefined,
  reload: async () => undefined,
});

/**
 * The signed-in user, as the browser's own request finds it (`GET /api/users/currentuser`, the
 * session cookie going along), once per page load and again after signing in or out (`reload`).
 * Pages are the same for every reader (and cached, see client/README.md), so what depends on who
 * reads — the header's links, what a post page offers — comes from here, after load.
 */
export function CurrentUserProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Reader>(undefined);
  const reload = useCallback(async () => {
    const result = await api<{ currentUser: CurrentUser | null }>('GET', '/api/users/currentuser');
    // Auth unreachable: signed out, as the pages rendered it before.
    setUser(result.ok ? result.data.currentUser : null);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return <ReaderContext.Provider value={{ user, reload }}>{children}</ReaderContext.Provider>;
}

/** The reader (see CurrentUserProvider). */
export function useCurrentUser(): Reader {
  return useContext(ReaderContext).user;
}

/** Asks again who is reading: after signing in or out. */
export function useReloadCurrentUser(): () => Promise<void> {
  return useContext(ReaderContext).reload;
}
