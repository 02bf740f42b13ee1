'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { localInputValue, pathAfterSaving, publish, publishAtFromLocal, schedule, unpublish } from '@/lib/publishing';
import type { ApiResult } from '@/lib/browser-api';
import type { Post } from '@/lib/types';
import { FormField } from './FormField';

/** On the author's preview of a draft: edit it, publish it now, or schedule (or unschedule) it. */
export function DraftActions({ postId, publishAt }: { postId: string; publishAt: string | null }) {
  const router = useRouter();
  const [busy, setBusy] = useState<'publish' | 'schedule' | 'unschedule' | null>(null);
  const [when, setWhen] = useState(localInputValue(publishAt));
  const [error, setError] = useState<string | undefined>();

  async function run(action: NonNullable<typeof busy>, request: () => Promise<ApiResult<Post>>) {
    setBusy(action);
    setError(undefined);
    const result = await request();
    if (!result.ok) {
      setError(result.errors[0]?.message ?? 'Could not save.');
      setBusy(null);
      return;
    }
    router.push(await pathAfterSaving(result.data));
    router.refresh();
    setBusy(null);
  }

  function scheduleAt() {
    const at = publishAtFromLocal(when);
    if (!at) return setError('Choose a date and time to publish at');
    void run('schedule', () => schedule(postId, at));
  }

  return (
    <div className="draft-actions">
      <Link href={`/posts/${postId}/edit`} className="button button-secondary">
        Edit
      </Link>
      <FormField
        label="Publish at"
        name="publishAt"
        type="datetime-local"
        value={when}
        onChange={(e) => setWhen(e.target.value)}
        error={error}
      />
      <button type="button" className="button button-secondary" onClick={scheduleAt} disabled={!!busy || !when}>
        {busy === 'schedule' ? 'Scheduling…' : publishAt ? 'Reschedule' : 'Schedule'}
      </button>
      {publishAt ? (
        <button
          type="button"
          className="button button-secondary"
          onClick={() => void run('unschedule', () => unpublish(postId))}
          disabled={!!busy}
        >
          {busy === 'unschedule' ? 'Unscheduling…' : 'Unschedule'}
        </button>
      ) : null}
      <button
        type="button"
        className="button button-primary"
        onClick={() => void run('publish', () => publish(postId))}
        disabled={!!busy}
      >
        {busy === 'publish' ? 'Publishing…' : 'Publish now'}
      </button>
    </div>
  );
}
