'use client';

import { useId } from 'react';

/**
 * A labelled input with its error beside it: the error is announced to
 * screen readers (aria-describedby + aria-invalid) and the field gets focus
 * styling from CSS.
 */
export function FormField({
  label,
  error,
  hint,
  multiline = false,
  ...input
}: {
  label: string;
  error?: string;
  hint?: string;
  multiline?: boolean;
  name: string;
  onChange?: (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
  onKeyDown?: (event: React.KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'onKeyDown'> &
  Omit<React.TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'onKeyDown'>) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const shared = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy };
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...(input as React.TextareaHTMLAttributes<HTMLTextAreaElement>)} {...shared} />
      ) : (
        <input {...(input as React.InputHTMLAttributes<HTMLInputElement>)} {...shared} />
      )}
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} data-field-error={input.name}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="form-errors" role="alert">
      {messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}
