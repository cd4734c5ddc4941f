'use client';
// Who is signed in, and the way out. Renders nothing while the console runs without accounts.
import { useEffect, useState } from 'react';

export function OperatorBadge() {
  const [me, setMe] = useState<{ username: string; role: string } | null>(null);
  useEffect(() => {
    let alive = true;
    fetch('/api/auth/me', { cache: 'no-store' })
      .then((r) => (r.ok ? (r.json() as Promise<{ username: string; role: string }>) : null))
      .then((m) => alive && setMe(m))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, []);
  if (!me) return null;
  const signOut = async () => {
    await fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    window.location.assign('/login');
  };
  return (
    <div className="operator" data-testid="operator-badge">
      <div>
        <b>{me.username}</b> <span className="muted">({me.role})</span>
      </div>
      <button type="button" className="btn small" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}
