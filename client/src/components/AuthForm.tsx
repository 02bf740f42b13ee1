'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, fieldErrors } from '@/lib/browser-api';
import { reloadCurrentUser } from '@/lib/current-user';
import { safeNext } from '@/lib/safe-next';
import type { CurrentUser } from '@/lib/types';
import { FormErrors, FormField } from './FormField';

type Mode = 'signin' | 'signup';

const fieldsOf: Record<Mode, readonly string[]> = {
  signin: ['email', 'password'],
  signup: ['email', 'username', 'password'],
};

/** Sign-in and sign-up: the API validates; its per-field messages appear next to the fields. */
export function AuthForm({ mode, next }: { mode: Mode; next?: string }) {
  const router = useRouter();
  const [values, setValues] = useState({ email: '', username: '', password: '' });
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const body = mode === 'signup' ? values : { email: values.email, password: values.password };
    const result = await api<CurrentUser>('POST', `/api/users/${mode}`, body);
    if (!result.ok) {
      setErrors(fieldErrors(result.errors, fieldsOf[mode]));
      setBusy(false);
      return;
    }
    // The session cookie is set: the header asks again who reads; pages that need a user render again.
    await reloadCurrentUser();
    // A new account is told where its verification link went (it can write at once all the same).
    router.replace(mode === 'signup' ? '/check-inbox' : safeNext(next, window.location.origin));
    router.refresh();
  }

  const set = (name: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setValues({ ...values, [name]: e.target.value });

  return (
    <form className="card form auth-form" onSubmit={submit} noValidate aria-busy={busy}>
      <h1>{mode === 'signin' ? 'Sign in' : 'Create your account'}</h1>
      <FormErrors messages={errors.general} />
      <FormField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        value={values.email}
        onChange={set('email')}
        error={errors.byField.email}
        required
      />
      {mode === 'signup' ? (
        <FormField
          label="Username"
          name="username"
          autoComplete="username"
          value={values.username}
          onChange={set('username')}
          error={errors.byField.username}
          hint="3 to 30 letters, digits or underscores; your public name."
          required
        />
      ) : null}
      <FormField
        label="Password"
        name="password"
        type="password"
        autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
        value={values.password}
        onChange={set('password')}
        error={errors.byField.password}
        hint={mode === 'signup' ? 'At least 8 characters.' : undefined}
        required
      />
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? 'Just a moment…' : mode === 'signin' ? 'Sign in' : 'Sign up'}
      </button>
      {mode === 'signin' ? (
        <p className="form-switch">
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      ) : null}
      <p className="form-switch">
        {mode === 'signin' ? (
          <>
            New to Postline? <Link href="/signup">Create an account</Link>
          </>
        ) : (
          <>
            Already have an account? <Link href="/signin">Sign in</Link>
          </>
        )}
      </p>
    </form>
  );
}
