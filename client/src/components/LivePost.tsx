'use client';

import { useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '@/lib/browser-api';
import type { LiveEvents, PostDetail } from '@/lib/types';

/** What the page's parts react to: a change pushed by the query service, or the post as re-read. */
export type LiveMessage =
  | { type: 'comment'; data: LiveEvents['comment'] }
  | { type: 'comment-removed'; data: LiveEvents['comment-removed'] }
  | { type: 'post'; data: LiveEvents['post'] }
  | { type: 'snapshot'; post: PostDetail };

type Listener = (message: LiveMessage) => void;

const LiveContext = createContext<{ subscribe(listener: Listener): () => void } | null>(null);

/** After a refused or failed stream (the browser gives up on an error status), a new one after this long. */
const reopenMs = 5_000;
/**
 * A tab hidden this long lets its stream go and opens a new one when shown again. Over HTTP/1.1
 * (the local gateway) a browser keeps six connections per origin: a stream per background tab
 * would soon leave none for the pages' own requests.
 */
const hiddenMs = 30_000;

/**
 * Follows a post page live: one EventSource on `GET /api/query/live?post=<id>`
 * (same origin, so the session cookie goes along and a signed-in reader's own
 * comments come with their status and reason). The browser reconnects by
 * itself with `Last-Event-ID`, and the server resumes there; on `ready` (a new
 * stream) and `reload` (it could not resume) the post is re-read once, so
 * nothing between the page's rendering and the stream is missed, and the
 * reader's own parts arrive (the page itself is the same for everyone). An edit of
 * the post re-renders the page on the server (router.refresh keeps the
 * parts' state); a deletion or unpublishing says so.
 */
export function LivePost({ postId, children }: { postId: string; children: ReactNode }) {
  const router = useRouter();
  const listeners = useRef(new Set<Listener>());
  // Deleted or unpublished since the page was rendered.
  const [gone, setGone] = useState(false);
  // Whether the stream is open and the post read as this reader once (their own parts are in): shown
  // to assistive technology as nothing, to tests as `data-live`.
  const [state, setState] = useState<'connecting' | 'open'>('connecting');
  const [context] = useState(() => ({
    subscribe(listener: Listener) {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  }));

  useEffect(() => {
    const emit = (message: LiveMessage) => {
      for (const listener of listeners.current) listener(message);
    };
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let hiddenFor: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    // The page is the same for every reader: until the post is read here once, this reader's own
    // parts (their like, their comments held for review) are not on it.
    let read = false;

    async function reread() {
      const result = await api<{ post: PostDetail }>('GET', `/api/query/posts/${encodeURIComponent(postId)}`);
      if (result.ok) emit({ type: 'snapshot', post: result.data.post });
      else if (result.status === 404) setGone(true);
      read = true;
      if (source) setState('open');
    }

    function open() {
      const stream = new EventSource(`/api/query/live?post=${encodeURIComponent(postId)}`);
      source = stream;
      const on = <E extends keyof LiveEvents>(event: E, handle: (data: LiveEvents[E]) => void) =>
        stream.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as LiveEvents[E]));
      stream.onopen = () => {
        if (read) setState('open');
      };
      on('ready', () => void reread());
      on('reload', () => void reread());
      on('comment', (data) => emit({ type: 'comment', data }));
      on('comment-removed', (data) => emit({ type: 'comment-removed', data }));
      on('post', (data) => {
        setGone(false); // published again
        emit({ type: 'post', data });
        if (data.contentChanged) router.refresh();
      });
      on('post-deleted', () => setGone(true));
      stream.onerror = () => {
        if (stream !== source || stopped) return;
        setState('connecting');
        // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up (an error status).
        if (stream.readyState !== EventSource.CLOSED) return;
        source = undefined;
        reopen = setTimeout(open, reopenMs);
      };
    }

    function close() {
      clearTimeout(reopen);
      source?.close();
      source = undefined;
      setState('connecting');
    }

    function visibilityChanged() {
      clearTimeout(hiddenFor);
      if (document.visibilityState === 'hidden') hiddenFor = setTimeout(close, hiddenMs);
      else if (!source) {
        clearTimeout(reopen);
        open();
      }
    }

    open();
    document.addEventListener('visibilitychange', visibilityChanged);
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', visibilityChanged);
      clearTimeout(hiddenFor);
      clearTimeout(reopen);
      source?.close();
    };
  }, [postId, router]);

  return (
    <LiveContext.Provider value={context}>
      <div className="post-live" data-live={state}>
        {gone ? (
          <p className="card" role="status" data-testid="post-gone">
            This post is no longer available.
          </p>
        ) : null}
        {children}
      </div>
    </LiveContext.Provider>
  );
}

/** Calls `listener` with every live message of the surrounding LivePost (none outside one). */
export function useLive(listener: Listener): void {
  const live = useContext(LiveContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => live?.subscribe((message) => latest.current(message)), [live]);
}
