'use client';
// Console sign-in. The session lives in an HttpOnly cookie set by POST /api/auth/login; this page
// only sends the form and goes where the gate was sending the operator.
import { Suspense, useState, type FormEvent } from 'react';
import { useSearchParams } from 'next/navigation';
import { PageHeader } from '../_components/page-header';
import { safeNext } from './safe-next';

function LoginForm() {
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const r = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
        cache: 'no-store',
      });
      if (r.ok) {
        window.location.assign(safeNext(params?.get('next')));
        return;
      }
      const body = (await r.json().catch(() => ({}))) as { error?: string };
      setError(body.error ?? `HTTP ${r.status}`);
    } catch (err) {
      setError(`the PF did not answer (${(err as Error).message})`);
    }
    setBusy(false);
  };

  return (
    <form className="card login-form" onSubmit={submit} aria-label="Sign in" style={{ maxWidth: 360, display: 'grid', gap: 12 }}>
      {error && (
        <div className="error-box" role="alert" data-testid="login-error">
          {error}
        </div>
      )}
      <label className="field">
        <span>Username</span>
        <input name="username" autoComplete="username" required autoFocus />
      </label>
      <label className="field">
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="btn primary" type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <>
      <PageHeader title="Sign in" />
      <Suspense>
        <LoginForm />
      </Suspense>
    </>
  );
}
