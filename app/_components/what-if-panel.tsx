'use client';
// "What if": the proposal on the page (the policy form, a user's rule) replayed over the recorded
// last hour or day before it is saved. Shows the run's progress, then the decisions that would
// change, grouped by spec branch and user; Apply saves the proposal and audits it with this diff.
import { useEffect, useState } from 'react';
import { api } from '../_lib/api';
import type { WhatIfDiff } from '../../server/engine/replay/what-if';

interface RunView {
  id: string;
  state: 'running' | 'done' | 'failed' | 'applied' | 'discarded';
  window: { name: 'hour' | 'day'; from: string; to: string };
  progress: { done: number; total: number; calls: number };
  diff?: WhatIfDiff;
  error?: string;
}

const counts = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, n]) => (n === 1 ? k : `${k} ×${n}`))
    .join(', ') || '—';

export function WhatIfPanel({ proposal, onApplied }: { proposal: () => unknown | null; onApplied: () => void }) {
  const [run, setRun] = useState<RunView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (run?.state !== 'running') return;
    const t = setTimeout(async () => {
      const r = await api<RunView>('GET', `/api/what-if/${run.id}`);
      if (r.ok) setRun(r.data);
      else setError(r.error);
    }, 300);
    return () => clearTimeout(t);
  }, [run]);

  const start = async (window: 'hour' | 'day') => {
    const body = proposal();
    if (body === null) return;
    setError(null);
    const r = await api<RunView>('POST', '/api/what-if', { ...(body as object), window });
    if (r.ok) setRun(r.data);
    else setError(r.error);
  };
  const act = async (what: 'apply' | 'discard') => {
    if (!run) return;
    const r = await api<RunView>('POST', `/api/what-if/${run.id}/${what}`);
    if (!r.ok) return setError(r.error);
    setRun(r.data);
    if (what === 'apply') onApplied();
  };

  return (
    <section className="panel" data-testid="what-if" aria-labelledby="what-if-h" style={{ marginTop: 12 }}>
      <h2 id="what-if-h" style={{ marginTop: 0 }}>
        What if
      </h2>
      <p className="muted">Replays the engine's recorded inputs under this proposal and shows which decisions would change, before anything is saved.</p>
      <div style={{ display: 'flex', gap: 8 }}>
        <button type="button" className="btn" onClick={() => void start('hour')} disabled={run?.state === 'running'} data-testid="what-if-hour">
          What if… (last hour)
        </button>
        <button type="button" className="btn" onClick={() => void start('day')} disabled={run?.state === 'running'} data-testid="what-if-day">
          What if… (last day)
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="what-if-error">
          {error}
        </p>
      )}
      {run?.state === 'running' && (
        <p role="status" data-testid="what-if-progress">
          <progress max={Math.max(1, run.progress.total)} value={run.progress.done} /> {run.progress.done} of {run.progress.total || '…'} recorded batches, {run.progress.calls} engine calls replayed
        </p>
      )}
      {run?.state === 'failed' && <p className="field-error" role="alert">The replay failed: {run.error}</p>}
      {run?.diff && run.state !== 'running' && (
        <div data-testid="what-if-result" data-state={run.state}>
          <p data-testid="what-if-summary">
            Over the last {run.window.name} ({new Date(run.window.from).toLocaleString()} – {new Date(run.window.to).toLocaleString()}): {run.diff.calls} engine calls replayed,{' '}
            <strong>{run.diff.changedCalls}</strong> would change.
            {run.diff.lookupMisses > 0 && <> {run.diff.lookupMisses} state lookups were not in the record: those calls are approximate.</>}
          </p>
          {run.diff.groups.length > 0 && (
            <table data-testid="what-if-diff">
              <thead>
                <tr>
                  <th>Branch</th>
                  <th>User</th>
                  <th>Calls</th>
                  <th>Outcome before → after</th>
                  <th>New effects</th>
                  <th>Vanished effects</th>
                </tr>
              </thead>
              <tbody>
                {run.diff.groups.map((g) => (
                  <tr key={`${g.branch} ${g.user}`} data-testid="what-if-row" data-branch={g.branch} data-user={g.user}>
                    <td className="mono">{g.branch}</td>
                    <td className="mono">{g.user || '—'}</td>
                    <td>{g.calls}</td>
                    <td>{counts(g.outcomes)}</td>
                    <td>{counts(g.newEffects)}</td>
                    <td>{counts(g.vanishedEffects)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {run.state === 'done' && (
            <div style={{ display: 'flex', gap: 8, marginTop: 10 }}>
              <button type="button" className="btn primary" onClick={() => void act('apply')} data-testid="what-if-apply">
                Apply this change
              </button>
              <button type="button" className="btn" onClick={() => void act('discard')} data-testid="what-if-discard">
                Discard
              </button>
            </div>
          )}
          {run.state === 'applied' && (
            <p className="notice ok" role="status" data-testid="what-if-applied">
              Applied and audited with this diff. The PF uses it from the next request.
            </p>
          )}
          {run.state === 'discarded' && <p className="muted">Discarded: nothing was saved.</p>}
        </div>
      )}
    </section>
  );
}
