'use client';
import { useDecisions } from '../_lib/use-decisions';

export default function DecisionsPage() {
  const { connected, decisions } = useDecisions();
  return (
    <>
      <h1>IMDN decisions</h1>
      <p className="sub">
        Every disposition notification the PF handled, with the spec branch that decided it.{' '}
        <span className="status" data-testid="live-status">
          <span className={connected ? 'dot on' : 'dot'} /> {connected ? 'live' : 'reconnecting…'}
        </span>
      </p>
      {decisions.length === 0 ? (
        <div className="empty">No decisions yet. Send a SIP MESSAGE carrying an IMDN to a served user.</div>
      ) : (
        <table data-testid="decisions">
          <thead>
            <tr>
              <th>#</th>
              <th>Time</th>
              <th>User</th>
              <th>Message-ID</th>
              <th>Type</th>
              <th>Branch</th>
              <th>Outcome</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((d) => (
              <tr key={d.seq} data-testid="decision-row" data-branch={d.branch} data-outcome={d.outcome}>
                <td className="mono">{d.seq}</td>
                <td className="mono">{d.at.slice(11, 23)}</td>
                <td className="mono">{d.servedUser ?? '—'}</td>
                <td className="mono wrap">{d.messageId ?? '—'}</td>
                <td>{d.disposition ?? '—'}</td>
                <td className="mono">{d.branch}</td>
                <td>
                  <span className={`pill ${d.outcome}`}>{d.outcome}</span>
                </td>
                <td>{d.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
