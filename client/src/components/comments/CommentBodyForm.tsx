'use client';

import { useState } from 'react';
import { fieldErrors, type ApiResult } from '@/lib/browser-api';
import type { Comment } from '@/lib/types';
import { FormErrors, FormField } from '../FormField';

/**
 * A comment's text and the button that sends it: a reader's new comment, or its author's edit.
 * The API's errors appear beside the field; Ctrl+Enter sends.
 */
export function CommentBodyForm({
  label,
  hint,
  initialBody = '',
  submitLabel,
  send,
  onSent,
  onCancel,
}: {
  label: string;
  hint: string;
  initialBody?: string;
  submitLabel: string;
  send: (body: string) => Promise<ApiResult<Comment>>;
  onSent: (comment: Comment) => void;
  onCancel?: () => void;
}) {
  const [body, setBody] = useState(initialBody);
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const [busy, setBusy] = useState(false);

  async function submit(event?: React.FormEvent) {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await send(body);
    setBusy(false);
    if (!result.ok) {
      setErrors(fieldErrors(result.errors, ['body']));
      return;
    }
    setErrors({ byField: {}, general: [] });
    setBody('');
    onSent(result.data);
  }

  return (
    <form className="card form comment-form" onSubmit={submit} noValidate>
      <FormErrors messages={errors.general} />
      <FormField
        label={label}
        name="body"
        multiline
        rows={4}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
        }}
        error={errors.byField.body}
        hint={hint}
      />
      <div className="form-actions">
        {onCancel ? (
          <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy || body.trim() === ''}>
          {busy ? 'Sending…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
