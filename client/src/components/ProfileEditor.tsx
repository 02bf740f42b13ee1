'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, fieldErrors } from '@/lib/browser-api';
import type { UserProfile } from '@/lib/types';
import { FormErrors, FormField } from './FormField';

/** The signed-in user's own bio and picture (PATCH /api/users/me). */
export function ProfileEditor({ bio, image }: { bio: string; image: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState({ bio, image });
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  if (!open) {
    return (
      <div className="profile-edit-toggle">
        <button type="button" className="button button-secondary" onClick={() => setOpen(true)}>
          Edit profile
        </button>
        {saved ? (
          <span className="muted" role="status">
            Saved.
          </span>
        ) : null}
      </div>
    );
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await api<UserProfile>('PATCH', '/api/users/me', { bio: values.bio, image: values.image });
    setBusy(false);
    if (!result.ok) {
      setErrors(fieldErrors(result.errors, ['bio', 'image']));
      return;
    }
    setSaved(true);
    setOpen(false);
    // The profile page reads the query model, which follows auth's user.updated event within moments.
    setTimeout(() => router.refresh(), 800);
  }

  return (
    <form className="card form profile-editor" onSubmit={submit} noValidate>
      <FormErrors messages={errors.general} />
      <FormField
        label="Bio"
        name="bio"
        multiline
        rows={3}
        value={values.bio}
        onChange={(e) => setValues({ ...values, bio: e.target.value })}
        error={errors.byField.bio}
      />
      <FormField
        label="Picture URL"
        name="image"
        type="url"
        value={values.image}
        onChange={(e) => setValues({ ...values, image: e.target.value })}
        error={errors.byField.image}
        hint="A link to an image (https://…); leave empty for your initial."
      />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}
