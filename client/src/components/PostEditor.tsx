'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, fieldErrors, waitFor } from '@/lib/browser-api';
import { parseTags } from '@/lib/format';
import type { ApiError, Post, PostDetail } from '@/lib/types';
import { FormErrors, FormField } from './FormField';
import { Markdown } from './Markdown';

interface Draft {
  title: string;
  body: string;
  tags: string;
}

/**
 * Writing and editing a post, with a preview rendered by the same sanitising
 * Markdown component as the post page. After saving it waits (briefly) for
 * the query read model to catch up, so the page it opens shows the new text.
 */
export function PostEditor({ post }: { post?: { id: string; title: string; body: string; tags: string[] } }) {
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
  const [status, setStatus] = useState<'idle' | 'saving' | 'publishing'>('idle');

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setStatus('saving');
    const input = { title: draft.title, body: draft.body, tags: parseTags(draft.tags) };
    const result = post
      ? await api<Post>('PUT', `/api/posts/${post.id}`, input)
      : await api<Post>('POST', '/api/posts', input);
    if (!result.ok) {
      setErrors(fieldErrors(result.errors.map(tagsField), ['title', 'body', 'tags']));
      setStatus('idle');
      setTab('write');
      return;
    }
    setStatus('publishing');
    const saved = result.data;
    await waitFor(async () => {
      const view = await api<{ post: PostDetail }>('GET', `/api/query/posts/${saved.id}`);
      return view.ok && Date.parse(view.data.post.updatedAt) >= Date.parse(saved.updatedAt) ? true : undefined;
    });
    router.push(`/posts/${saved.slug}`);
    router.refresh();
  }

  const busy = status !== 'idle';
  return (
    <form className="card form editor" onSubmit={submit} noValidate aria-busy={busy}>
      <h1>{post ? 'Edit post' : 'Write a post'}</h1>
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
          <button
            type="button"
            role="tab"
            id="tab-write"
            aria-selected={tab === 'write'}
            aria-controls="panel-write"
            onClick={() => setTab('write')}
          >
            Write
          </button>
          <button
            type="button"
            role="tab"
            id="tab-preview"
            aria-selected={tab === 'preview'}
            aria-controls="panel-preview"
            onClick={() => setTab('preview')}
          >
            Preview
          </button>
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
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={() => router.back()} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {status === 'saving'
            ? 'Saving…'
            : status === 'publishing'
              ? 'Publishing…'
              : post
                ? 'Save changes'
                : 'Publish'}
        </button>
      </div>
    </form>
  );
}

/** Errors about one tag (`tags[2]`) belong next to the tags field. */
function tagsField(error: ApiError): ApiError {
  return error.field?.startsWith('tags') ? { ...error, field: 'tags' } : error;
}
