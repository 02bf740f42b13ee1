'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, fieldErrors } from '@/lib/browser-api';
import { parseTagList } from '@postline/common/rules';
import { pathAfterSaving, publish, publishAtFromLocal, schedule } from '@/lib/publishing';
import type { ErrorEntry, Post, PostStatus } from '@/lib/types';
import { FormErrors, FormField } from './FormField';
import { Markdown } from './Markdown';

interface Draft {
  title: string;
  body: string;
  tags: string;
}

/** What the author asks for: keep it a draft, publish it now, or publish it at a time. */
type Intent = 'draft' | 'publish' | 'schedule' | 'save';

/**
 * Writing and editing a post, with a preview rendered by the same sanitising
 * Markdown component as the post page. A new post or a draft is saved as a
 * draft (only its author sees it, at /drafts/:id) unless the author presses
 * Publish or schedules it; a published post is saved as it is. After saving
 * it waits (briefly) for the query read model to catch up, so the page it
 * opens shows the new text.
 */
export function PostEditor({
  post,
}: {
  post?: { id: string; title: string; body: string; tags: string[]; status: PostStatus };
}) {
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>({
    title: post?.title ?? '',
    body: post?.body ?? '',
    tags: post?.tags.join(', ') ?? '',
  });
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const [busyWith, setBusyWith] = useState<Intent | null>(null);
  const [publishAtLocal, setPublishAtLocal] = useState('');
  const published = post?.status === 'published';

  async function save(intent: Intent) {
    const publishAt = intent === 'schedule' ? publishAtFromLocal(publishAtLocal) : undefined;
    if (intent === 'schedule' && !publishAt) {
      setErrors({ byField: { publishAt: 'Choose a date and time to publish at' }, general: [] });
      return;
    }
    setBusyWith(intent);
    const input = { title: draft.title, body: draft.body, tags: parseTagList(draft.tags) };
    let result = post
      ? await api<Post>('PUT', `/api/posts/${post.id}`, input)
      : await api<Post>('POST', '/api/posts', {
          ...input,
          ...(intent === 'publish' ? {} : intent === 'schedule' ? { publishAt } : { status: 'draft' }),
        });
    // An existing draft is saved first, then published or scheduled (two requests, each all or nothing).
    if (result.ok && post && !published && intent === 'publish') result = await publish(post.id);
    if (result.ok && post && !published && intent === 'schedule') result = await schedule(post.id, publishAt!);
    if (!result.ok) {
      setErrors(fieldErrors(result.errors.map(tagsField), ['title', 'body', 'tags', 'publishAt']));
      setBusyWith(null);
      setTab('write');
      return;
    }
    router.push(await pathAfterSaving(result.data));
    router.refresh();
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    void save(published ? 'save' : 'draft');
  }

  const busy = busyWith !== null;
  return (
    <form className="card form editor" onSubmit={submit} noValidate aria-busy={busy}>
      <h1>{!post ? 'Write a post' : published ? 'Edit post' : 'Edit draft'}</h1>
      {!published ? (
        <p className="muted" data-testid="draft-note">
          Drafts are private: only you see them, under Drafts, until you publish.
        </p>
      ) : null}
      <FormErrors messages={errors.general} />
      <FormField
        label="Title"
        name="title"
        value={draft.title}
        onChange={(e) => setDraft({ ...draft, title: e.target.value })}
        error={errors.byField.title}
        placeholder="A title that says what it is about"
        required
      />
      <FormField
        label="Tags"
        name="tags"
        value={draft.tags}
        onChange={(e) => setDraft({ ...draft, tags: e.target.value })}
        error={errors.byField.tags}
        hint="Separate tags with commas or spaces, e.g. nextjs, design"
      />
      <div className="editor-body">
        <div className="tabs" role="tablist" aria-label="Body">
          {(
            [
              ['write', 'Write'],
              ['preview', 'Preview'],
            ] as const
          ).map(([name, label]) => (
            <button
              key={name}
              type="button"
              role="tab"
              id={`tab-${name}`}
              aria-selected={tab === name}
              aria-controls={`panel-${name}`}
              onClick={() => setTab(name)}
            >
              {label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="panel-write" aria-labelledby="tab-write" hidden={tab !== 'write'}>
          <FormField
            label="Body (Markdown)"
            name="body"
            multiline
            rows={16}
            value={draft.body}
            onChange={(e) => setDraft({ ...draft, body: e.target.value })}
            error={errors.byField.body}
            placeholder={'# Hello\n\nWrite in **Markdown**: headings, lists, links, `code`…'}
          />
        </div>
        <div
          role="tabpanel"
          id="panel-preview"
          aria-labelledby="tab-preview"
          hidden={tab !== 'preview'}
          className="editor-preview"
          data-testid="preview"
        >
          {draft.body.trim() ? <Markdown source={draft.body} /> : <p className="muted">Nothing to preview yet.</p>}
        </div>
      </div>
      {!published ? (
        <div className="editor-schedule">
          <FormField
            label="Publish at (optional)"
            name="publishAt"
            type="datetime-local"
            value={publishAtLocal}
            onChange={(e) => setPublishAtLocal(e.target.value)}
            error={errors.byField.publishAt}
          />
          <button
            type="button"
            className="button button-secondary"
            onClick={() => void save('schedule')}
            disabled={busy || !publishAtLocal}
          >
            {busyWith === 'schedule' ? 'Scheduling…' : 'Schedule'}
          </button>
          <p className="field-hint">A scheduled post is published at that time, whether or not you are here.</p>
        </div>
      ) : null}
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={() => router.back()} disabled={busy}>
          Cancel
        </button>
        {published ? (
          <button type="submit" className="button button-primary" disabled={busy}>
            {busyWith ? 'Saving…' : 'Save changes'}
          </button>
        ) : (
          <>
            <button type="submit" className="button button-secondary" disabled={busy}>
              {busyWith === 'draft' ? 'Saving…' : 'Save draft'}
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => void save('publish')}
              disabled={busy}
            >
              {busyWith === 'publish' ? 'Publishing…' : 'Publish'}
            </button>
          </>
        )}
      </div>
    </form>
  );
}

/** Errors about one tag (`tags[2]`) belong next to the tags field. */
function tagsField(error: ErrorEntry): ErrorEntry {
  return error.field?.startsWith('tags') ? { ...error, field: 'tags' } : error;
}
