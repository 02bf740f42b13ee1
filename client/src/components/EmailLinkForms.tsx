'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { api, fieldErrors } from '@/lib/browser-api';
import { reloadCurrentUser } from '@/lib/current-user';
import type { CurrentUser } from '@/lib/types';
import { FormErrors, FormField } from './FormField';

/**
 * The pages an emailed link opens, and the forms that ask for one. A link carries its token in
 * the fragment (`#token=…`), which the browser never sends to a server; the page reads it and
 * sends it by POST, so nothing that merely fetches the link can use it up.
 */
function tokenFromFragment(): string | undefined {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? undefined;
}

type Errors = { byField: Record<string, string>; general: string[] };
const noErrors: Errors = { byField: {}, general: [] };

/** After sign-up: the link is on its way; writing can start at once. */
export function CheckInbox() {
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [errors, setErrors] = useState<string[]>([]);

  async function resend() {
    setState('sending');
    const result = await api('POST', '/api/users/me/verification', {});
    if (result.ok) setState('sent');
    else {
      setErrors(result.errors.map((e) => e.message));
      setState('idle');
    }
  }

  return (
    <div className="card form" data-check-inbox>
      <h1>Check your inbox</h1>
      <p>We sent a link to your address. Open it to confirm the address is yours: it works once, within the hour.</p>
      <p>
        You can start writing right away: <Link href="/write">write a post</Link>.
      </p>
      <FormErrors messages={errors} />
      <button type="button" className="button" onClick={resend} disabled={state === 'sending'}>
        {state === 'sent' ? 'Sent again' : state === 'sending' ? 'Sending…' : 'Send the link again'}
      </button>
    </div>
  );
}

/** `/verify-email#token=…`: proves the address, then says so. */
export function VerifyEmail() {
  const [result, setResult] = useState<{ ok: true; email: string } | { ok: false; message: string } | undefined>();

  useEffect(() => {
    const token = tokenFromFragment();
    // The token is spent: keep it out of the history and of anything that reads the address bar.
    window.history.replaceState(null, '', window.location.pathname);
    if (!token) {
      setResult({ ok: false, message: 'This link is invalid or has expired' });
      return;
    }
    void api<CurrentUser>('POST', '/api/users/verify-email', { token }).then(async (answer) => {
      if (answer.ok) {
        await reloadCurrentUser();
        setResult({ ok: true, email: answer.data.email });
      } else setResult({ ok: false, message: answer.errors.map((e) => e.message).join(' ') });
    });
  }, []);

  return (
    <div className="card form" data-verify-email={result ? (result.ok ? 'done' : 'failed') : 'working'}>
      <h1>Confirm your address</h1>
      {!result ? <p>Just a moment…</p> : null}
      {result?.ok ? (
        <p>
          Thank you: <strong>{result.email}</strong> is confirmed. <Link href="/">Go to the home page</Link>.
        </p>
      ) : null}
      {result && !result.ok ? (
        <>
          <FormErrors messages={[result.message]} />
          <p>Signed in, you can ask for a new link from the page you see after signing up, or sign in again.</p>
        </>
      ) : null}
    </div>
  );
}

/** `/forgot-password`: asks for a reset link; the answer is the same whatever the address. */
export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<Errors>(noErrors);
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setState('sending');
    const result = await api('POST', '/api/users/password-reset', { email });
    if (result.ok) {
      setState('sent');
      return;
    }
    setErrors(fieldErrors(result.errors, ['email']));
    setState('idle');
  }

  if (state === 'sent') {
    return (
      <div className="card form" data-reset-requested>
        <h1>Check your inbox</h1>
        <p>
          We sent a mail to <strong>{email}</strong>: a link to choose a new password if an account uses this address,
          or a note saying none does.
        </p>
      </div>
    );
  }
  return (
    <form className="card form auth-form" onSubmit={submit} noValidate aria-busy={state === 'sending'}>
      <h1>Forgot your password?</h1>
      <p>Tell us your address; we will mail you a link to choose a new password.</p>
      <FormErrors messages={errors.general} />
      <FormField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.byField.email}
        required
      />
      <button type="submit" className="button button-primary button-block" disabled={state === 'sending'}>
        {state === 'sending' ? 'Just a moment…' : 'Send me a link'}
      </button>
    </form>
  );
}

/** `/reset-password#token=…`: a new password, then signed in. */
export function ResetPassword() {
  const router = useRouter();
  const [token, setToken] = useState<string | undefined>();
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>(noErrors);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setToken(tokenFromFragment() ?? '');
    window.history.replaceState(null, '', window.location.pathname);
  }, []);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await api<CurrentUser>('POST', '/api/users/password-reset/complete', { token, password });
    if (!result.ok) {
      setErrors(fieldErrors(result.errors, ['password']));
      setBusy(false);
      return;
    }
    await reloadCurrentUser();
    router.replace('/');
    router.refresh();
  }

  return (
    <form className="card form auth-form" onSubmit={submit} noValidate aria-busy={busy}>
      <h1>Choose a new password</h1>
      <FormErrors messages={errors.general} />
      {token === '' ? <FormErrors messages={['This link is invalid or has expired']} /> : null}
      <FormField
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.byField.password}
        hint="At least 8 characters."
        required
      />
      <button type="submit" className="button button-primary button-block" disabled={busy || !token}>
        {busy ? 'Just a moment…' : 'Set the new password'}
      </button>
      <p className="form-switch">
        The link has expired? <Link href="/forgot-password">Ask for a new one</Link>
      </p>
    </form>
  );
}
