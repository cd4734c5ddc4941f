'use client';
// Time travel: step through the session's recorded engine inputs and see the session as the engine
// left it after each (its mode, legs and participants), replayed from the record (issue 20).
import { useState } from 'react';
import type { SessionStep } from '../../../server/engine/replay/time-travel';
import { KeyValues } from '../../_components/key-values';
import { Pill } from '../../_components/pill';
import { api } from '../../_lib/api';

export function TimeTravel({ sessionId }: { sessionId: string }) {
  const [steps, setSteps] = useState<SessionStep[] | null>(null);
  const [i, setI] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    const r = await api<{ recording: boolean; steps: SessionStep[] }>('GET', `/api/sessions/${encodeURIComponent(sessionId)}/inputs`);
    if (!r.ok) return setError(r.error);
    if (!r.data.recording) return setError('The PF does not record its engine inputs (PF_RECORD=off).');
    setError(null);
    setSteps(r.data.steps);
    setI(0);
  };
  const step = steps?.[i];
  const s = step?.after;
  return (
    <section className="panel" data-testid="time-travel" aria-labelledby="time-travel-h">
      <h2 id="time-travel-h" style={{ marginTop: 0 }}>
        Time travel
      </h2>
      <p className="muted">The engine inputs recorded for this session, replayed one by one: the session as the engine left it after each.</p>
      <button type="button" className="btn" onClick={() => void load()} data-testid="time-travel-load">
        {steps ? 'Reload recorded inputs' : 'Load recorded inputs'}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {steps && steps.length === 0 && <p className="muted">No engine input recorded for this session yet.</p>}
      {step && (
        <div data-testid="time-travel-step" data-index={i} data-procedure={step.procedure} data-mode={s?.mode ?? ''}>
          <div style={{ display: 'flex', gap: 8, alignItems: 'center', margin: '8px 0' }}>
            <button type="button" className="btn small" disabled={i === 0} onClick={() => setI(i - 1)} data-testid="time-travel-prev">
              ◀ Previous
            </button>
            <span data-testid="time-travel-position">
              input {i + 1} of {steps!.length}
            </span>
            <button type="button" className="btn small" disabled={i === steps!.length - 1} onClick={() => setI(i + 1)} data-testid="time-travel-next">
              Next ▶
            </button>
            <input type="range" min={0} max={steps!.length - 1} value={i} onChange={(e) => setI(Number(e.target.value))} aria-label="recorded input" />
          </div>
          <p>
            <time className="muted">{new Date(step.at).toLocaleTimeString()}</time> <code>{step.procedure}</code> {step.input}
          </p>
          <p>
            {step.decisions.map(([branch, outcome], n) => (
              <span key={n} style={{ marginRight: 8 }}>
                <code>{branch}</code> <Pill value={outcome} />
              </span>
            ))}
          </p>
          {s ? (
            <>
              <p>
                After: mode <Pill value={s.mode} />, {s.legs.length} leg(s), {Object.keys(s.participants?.users ?? {}).length} participant(s)
              </p>
              <table data-testid="time-travel-legs">
                <thead>
                  <tr>
                    <th>Leg</th>
                    <th>Kind</th>
                    <th>State</th>
                  </tr>
                </thead>
                <tbody>
                  {s.legs.map((l) => (
                    <tr key={l.id} data-state={l.state}>
                      <td className="mono">{l.id}</td>
                      <td>{l.kind}</td>
                      <td>
                        <Pill value={l.state} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <details>
                <summary>The whole session state after this input</summary>
                <KeyValues value={s as unknown as Record<string, unknown>} />
              </details>
            </>
          ) : (
            <p className="muted">No session state after this input.</p>
          )}
        </div>
      )}
    </section>
  );
}
