'use client';
import { useEffect, useState } from 'react';

interface Health {
  sip: { host: string; port: number; embeddedEdge: boolean; edge?: { transactions: number; dialogs: number; apps: number } };
  database: string;
  registrations: number;
}

export default function OverviewPage() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      fetch('/api/health')
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((h: Health) => alive && (setHealth(h), setError(null)))
        .catch((e: Error) => alive && setError(e.message));
    void load();
    const t = setInterval(load, 2000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);
  return (
    <>
      <h1>Overview</h1>
      <p className="sub">The Participating Function serving this domain, live.</p>
      {error && <div className="empty">The PF did not answer: {error}</div>}
      {health && (
        <div className="cards">
          <div className="card">
            <div className="label">SIP</div>
            <div className="value mono">{health.sip.host}:{health.sip.port}</div>
          </div>
          <div className="card">
            <div className="label">Registrations</div>
            <div className="value" data-testid="registrations">{health.registrations}</div>
          </div>
          <div className="card">
            <div className="label">Transactions</div>
            <div className="value">{health.sip.edge?.transactions ?? '—'}</div>
          </div>
          <div className="card">
            <div className="label">Database</div>
            <div className="value">{health.database}</div>
          </div>
        </div>
      )}
    </>
  );
}
