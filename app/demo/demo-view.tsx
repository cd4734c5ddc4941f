'use client';
// Demo flows: pick one, run it against this PF over real SIP, watch the ladder and the PF's
// decisions as they come, and see whether the outcome matched what the flow expects.
import { useEffect, useRef, useState } from 'react';
import type { ExpectedDecision } from '../../server/demo/flow';
import type { DemoRunView, FlowInfo } from '../../server/http/demo-routes';

const POLL_MS = 300;

function branchText(e: ExpectedDecision): string {
  return `${[e.branch].flat().join(' | ')}${e.outcome ? ` ${e.outcome}` : ''}`;
}

export function DemoView() {
  const [flows, setFlows] = useState<FlowInfo[]>([]);
  const [selected, setSelected] = useState<string>('');
  const [run, setRun] = useState<DemoRunView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    fetch('/api/demo/flows')
      .then((r) => r.json() as Promise<{ flows: FlowInfo[] }>)
      .then((b) => {
        setFlows(b.flows);
        setSelected((s) => s || b.flows[0]?.id || '');
      })
      .catch((e: Error) => setError(`cannot list the flows: ${e.message}`));
    return () => clearTimeout(timer.current);
  }, []);

  const poll = (id: string) => {
    fetch(`/api/demo/runs/${id}`)
      .then((r) => r.json() as Promise<{ run: DemoRunView }>)
      .then((b) => {
        setRun(b.run);
        if (b.run.state === 'running') timer.current = setTimeout(() => poll(id), POLL_MS);
      })
      .catch((e: Error) => setError(`lost the run: ${e.message}`));
  };

  const start = async () => {
    setError(undefined);
    setRun(undefined);
    clearTimeout(timer.current);
    const r = await fetch('/api/demo/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flow: selected }) });
    const b = (await r.json()) as { run?: { id: string }; error?: string };
    if (!r.ok || !b.run) return setError(b.error ?? `could not start the flow (${r.status})`);
    poll(b.run.id);
  };

  const flow = flows.find((f) => f.id === selected);
  const running = run?.state === 'running';
  const result = run?.result;

  return (
    <div className="wrap">
      <div className="page-header">
        <div>
          <h1>Demo flows</h1>
          <p className="muted">Each flow plays real SIP over loopback against this PF with scripted clients, Controlling Function, remote PF and IWFs.</p>
        </div>
      </div>
      {error && <div className="error-box" role="alert">{error}</div>}
      <div className="panel">
        <div className="toolbar">
          <label className="field">
            <span>Flow</span>
            <select aria-label="Flow" value={selected} onChange={(e) => setSelected(e.target.value)} disabled={running}>
              {flows.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.title}
                </option>
              ))}
            </select>
          </label>
          <button className="btn primary" onClick={() => void start()} disabled={!selected || running}>
            {running ? 'Running…' : 'Run flow'}
          </button>
          {run && (
            <span data-testid="demo-verdict" className={`pill ${run.state === 'passed' ? 'tone-ok' : run.state === 'failed' ? 'tone-bad' : 'tone-info'}`}>
              {run.state}
            </span>
          )}
        </div>
        {flow && (
          <div>
            <p>{flow.story}</p>
            <p className="muted">
              Spec: <span className="mono">{flow.spec.join(', ')}</span> · relies on {flow.relies}
            </p>
          </div>
        )}
      </div>

      {run && (
        <div className="split">
          <section className="panel" aria-label="Ladder">
            <h2>Ladder</h2>
            <table className="mono" data-testid="demo-ladder">
              <tbody>
                {run.ladder.map((e) =>
                  e.kind === 'step' ? (
                    <tr key={e.seq}>
                      <td className="muted num">{e.t} ms</td>
                      <td colSpan={3}>
                        <strong>{e.label}</strong>
                      </td>
                    </tr>
                  ) : (
                    <tr key={e.seq}>
                      <td className="muted num">{e.t} ms</td>
                      <td>
                        {e.from} → {e.to}
                      </td>
                      <td className={e.status !== undefined ? (e.status < 300 ? 'tone-ok' : 'tone-bad') : ''}>{e.label}</td>
                      <td className="muted">{e.note}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </section>
          <section className="panel" aria-label="Decisions">
            <h2>Decisions</h2>
            <ul className="vlist" data-testid="demo-decisions">
              {run.decisions.map((d) => (
                <li key={d.seq}>
                  <span className="mono">#{d.seq}</span> <strong className="mono">{d.branch}</strong> <span className="pill tone-info">{d.outcome}</span>
                  <div className="muted">{d.summary}</div>
                </li>
              ))}
            </ul>
            {result && (
              <>
                <h2>Expected outcome</h2>
                <ul className="vlist" data-testid="demo-expected">
                  {result.expected.map((m, i) => (
                    <li key={`e${i}`} className={m.seq !== undefined ? 'tone-ok' : 'tone-bad'}>
                      {m.seq !== undefined ? '✓' : '✗'} decision <span className="mono">{branchText(m.expected)}</span>
                      {m.seq !== undefined ? ` (#${m.seq})` : ' not made'}
                    </li>
                  ))}
                  {result.forbidden.map((f, i) => (
                    <li key={`f${i}`} className="tone-bad">
                      ✗ decision <span className="mono">{branchText(f.expected)}</span> must not be made (#{f.seq})
                    </li>
                  ))}
                  {result.checks.map((c, i) => (
                    <li key={`c${i}`} className={c.ok ? 'tone-ok' : 'tone-bad'}>
                      {c.ok ? '✓' : '✗'} {c.label}
                      {c.detail ? `: ${c.detail}` : ''}
                    </li>
                  ))}
                  {result.error && <li className="tone-bad">✗ {result.error}</li>}
                </ul>
              </>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
